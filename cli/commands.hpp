// Every cyanrig subcommand is declared the same way: a file of its own adds its options to the parser
// with `add_*_commands` and registers what it does once parsed with Subcommands::on, so main.cpp is
// only the list of commands.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "rig/results/run_result.hpp"

namespace cyanrig::cli {

constexpr int kExitPass = static_cast<int>(ExitCode::pass);
constexpr int kExitDevice = static_cast<int>(ExitCode::device_failure);
constexpr int kExitInvalid = static_cast<int>(ExitCode::invalid);
constexpr int kExitInfrastructure = static_cast<int>(ExitCode::infrastructure);

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

void add_run_command(CLI::App& app, Subcommands& commands);             // run_command.cpp
void add_validate_command(CLI::App& app, Subcommands& commands);        // validate_command.cpp
void add_list_command(CLI::App& app, Subcommands& commands);            // list_command.cpp
void add_log_commands(CLI::App& app, Subcommands& commands);            // log_commands.cpp
void add_led_commands(CLI::App& app, Subcommands& commands);            // led_commands.cpp
void add_led_calibrate_command(CLI::App& led, Subcommands& commands);   // led_calibrate_command.cpp
void add_usb_commands(CLI::App& app, Subcommands& commands);            // usb_commands.cpp
void add_outage_commands(CLI::App& app, Subcommands& commands);         // outage_commands.cpp
void add_sim_commands(CLI::App& app, Subcommands& commands);            // sim_commands.cpp
void add_results_commands(CLI::App& app, Subcommands& commands);        // results_commands.cpp
void add_report_command(CLI::App& app, Subcommands& commands);          // report_command.cpp
void add_history_command(CLI::App& app, Subcommands& commands);         // history_command.cpp
void add_gate_command(CLI::App& app, Subcommands& commands);            // gate_command.cpp
void add_outage_hold_command(CLI::App& outage, Subcommands& commands);  // outage_hold_command.cpp
void add_power_commands(CLI::App& app, Subcommands& commands);          // power_commands.cpp
void add_rack_commands(CLI::App& app, Subcommands& commands);           // rack_commands.cpp
void add_device_commands(CLI::App& app, Subcommands& commands);         // device_commands.cpp
void add_monitor_command(CLI::App& app, Subcommands& commands);         // monitor_command.cpp

}  // namespace cyanrig::cli
