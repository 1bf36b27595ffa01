// Subcommands that live in their own files: each adds its options to the parser and says what it
// does once parsed, so main.cpp stays a list of commands.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace cyanrig::cli {

class Subcommands {
 public:
  using Action = std::function<int()>;
  // `action` runs when `command` was chosen on the command line; it returns the exit code.
  void on(CLI::App* command, Action action) { actions_.emplace_back(command, std::move(action)); }
  // The chosen command's exit code, or nothing when none of these was chosen.
  std::optional<int> run_chosen() const {
    for (const auto& [command, action] : actions_) {
      if (*command) return action();
    }
    return std::nullopt;
  }

 private:
  std::vector<std::pair<CLI::App*, Action>> actions_;
};

void add_led_calibrate_command(CLI::App& led, Subcommands& commands);  // led_calibrate_command.cpp
void add_outage_commands(CLI::App& app, Subcommands& commands);        // outage_commands.cpp
void add_sim_commands(CLI::App& app, Subcommands& commands);           // sim_commands.cpp

}  // namespace cyanrig::cli
