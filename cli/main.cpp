// cyanrig: run Particle device recovery scenarios on a rack of real or simulated devices.
// The composition root: the one place that knows both rig/ and drivers/ (through rack_choice.cpp).
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"

using namespace cyanrig;

int main(int argc, char** argv) {
  // A closed stdout must never kill cyanrig mid-outage: writes fail with EPIPE instead.
  std::signal(SIGPIPE, SIG_IGN);
  auto logger = spdlog::stderr_color_mt("cyanrig");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);

  CLI::App app{
      "cyanrig: hardware-in-the-loop recovery tests for Particle devices.\n"
      "Without --rack it uses the built-in simulated rack (8 virtual devices)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cyanrig 0.1.0");
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More log output on stderr (-v info, -vv debug)");

  cli::Subcommands commands;
  cli::add_run_command(app, commands);
  cli::add_validate_command(app, commands);
  cli::add_list_command(app, commands);
  cli::add_log_commands(app, commands);
  cli::add_led_commands(app, commands);
  cli::add_outage_commands(app, commands);
  cli::add_usb_commands(app, commands);
  cli::add_sim_commands(app, commands);
  cli::add_results_commands(app, commands);
  cli::add_report_command(app, commands);
  cli::add_history_command(app, commands);
  cli::add_gate_command(app, commands);
  cli::add_power_commands(app, commands);
  cli::add_rack_commands(app, commands);
  cli::add_device_commands(app, commands);
  cli::add_monitor_command(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const auto message = cli::unknown_command(app, argc, argv)) {
      fmt::print(stderr, "{}\n", *message);
    } else {
      app.exit(e);
    }
    return cli::kExitInvalid;
  }
  if (verbosity == 1) spdlog::set_level(spdlog::level::info);
  if (verbosity >= 2) spdlog::set_level(spdlog::level::debug);

  try {
    if (const auto code = commands.run_chosen()) return *code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cyanrig: internal error: {}\n", e.what());
    return cli::kExitInfrastructure;
  }
  return cli::kExitInvalid;
}
