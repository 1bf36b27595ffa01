// cyanrig: run Particle device recovery scenarios on a rack of real or simulated devices.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "drivers/serial/device_port.hpp"
#include "drivers/serial/usb/discover_report.hpp"
#include "rig/cli/progress.hpp"
#include "rig/cli/subcommands.hpp"
#include "rig/devos/log_capture.hpp"
#include "rig/devos/log_parser.hpp"
#include "rig/engine/engine.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/led/led_state.hpp"
#include "rig/led/led_trace_csv.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace fs = std::filesystem;
using namespace cyanrig;

namespace {

constexpr int kExitInvalid = static_cast<int>(ExitCode::invalid);

// Each problem once: a bad `defaults:` block is inherited (and reported) by every device using it,
// and a rack file given both as a file and as --rack is read twice.
std::size_t print_diagnostics(const Diagnostics& diags) {
  std::set<std::string> printed;
  for (const Diagnostic& d : diags.items()) {
    if (printed.insert(d.to_string()).second) fmt::print(stderr, "{}\n", d.to_string());
  }
  return printed.size();
}

// Where shipped scenarios live: $CYANRIG_SCENARIOS, else ./scenarios.
fs::path scenarios_dir() {
  if (const char* env = std::getenv("CYANRIG_SCENARIOS"); env != nullptr && *env != '\0') return env;
  return "scenarios";
}

// `run reboot_during_outage` finds scenarios/reboot_during_outage.yaml.
std::string resolve_scenario(const std::string& arg) {
  if (fs::exists(arg)) return arg;
  const fs::path shipped = scenarios_dir() / (arg + ".yaml");
  if (arg.find('/') == std::string::npos && fs::exists(shipped)) return shipped.string();
  return arg;
}

std::optional<Rack> load_rack(const std::string& path, Diagnostics& diags) {
  std::optional<Rack> rack =
      path.empty() ? std::optional<Rack>(builtin_sim_rack()) : load_rack_file(path, diags);
  if (rack) validate_rack_backends(*rack, BackendRegistry::builtin(), diags);
  return rack;
}

bool is_rack_file(const std::string& path) {
  Diagnostics ignored;
  const auto root = load_yaml_file(path, ignored);
  return root && root->IsMap() && (*root)["rack"].IsDefined();
}

struct RunArgs {
  std::string scenario;
  std::string rack;
  std::uint64_t seed = 1;
  std::string results = "results";
  bool no_results = false;
  std::string progress = "auto";
};

int cmd_run(const RunArgs& args) {
  Diagnostics diags;
  const auto rack = load_rack(args.rack, diags);
  const auto scenario = load_scenario_file(resolve_scenario(args.scenario), diags, rack ? &*rack : nullptr);
  if (rack && scenario) check_scenario_against_rack(*scenario, *rack, diags, &BackendRegistry::builtin());
  if (!diags.empty()) {
    const std::size_t problems = print_diagnostics(diags);
    fmt::print(stderr, "cyanrig: nothing was run ({} problem{})\n", problems, problems == 1 ? "" : "s");
    return kExitInvalid;
  }
  Progress::Style style = Progress::style_for(stdout);
  if (args.progress == "plain") style = Progress::Style::plain;
  if (args.progress == "quiet") style = Progress::Style::quiet;
  if (args.progress == "live") style = Progress::Style::live;
  Progress progress(style, stdout);
  RunOptions options;
  options.seed = args.seed;
  options.results_root = args.no_results ? fs::path() : fs::path(args.results);
  options.observe = [&](Timeline& timeline, const Scenario& s) { progress.attach(timeline, s); };
  const RunReport report = run_scenario(*scenario, *rack, options);
  progress.finish();
  print_verdict(stdout, report.result, report.results_dir.string());
  return static_cast<int>(report.result.exit_code());
}

int cmd_validate(const std::vector<std::string>& files, const std::string& rack_path) {
  Diagnostics diags;
  const auto rack = load_rack(rack_path, diags);
  for (const std::string& arg : files) {
    const std::string file = resolve_scenario(arg);
    Diagnostics here;
    if (is_rack_file(file)) {
      if (auto r = load_rack_file(file, here)) {
        validate_rack_backends(*r, BackendRegistry::builtin(), here);
        if (here.empty()) fmt::print("ok: {}: rack '{}', {} devices\n", file, r->name, r->devices.size());
      }
    } else if (auto s = load_scenario_file(file, here, rack ? &*rack : nullptr)) {
      if (rack) check_scenario_against_rack(*s, *rack, here, &BackendRegistry::builtin());
      if (here.empty()) {
        fmt::print("ok: {}: scenario '{}', {} steps, {} device{} selected, {} repeat{}\n", file, s->name,
                   s->steps.size(), rack ? s->select(*rack).size() : 0,
                   rack && s->select(*rack).size() == 1 ? "" : "s", s->repeat, s->repeat == 1 ? "" : "s");
      }
    }
    diags.append(here);
  }
  print_diagnostics(diags);
  return diags.empty() ? 0 : kExitInvalid;
}

int cmd_list(const std::string& what, const std::string& rack_path) {
  if (what == "scenarios") {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(scenarios_dir(), ec)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    if (ec) {
      fmt::print(stderr, "cyanrig: cannot list {}: {} (set CYANRIG_SCENARIOS)\n", scenarios_dir().string(),
                 ec.message());
      return kExitInvalid;
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      Diagnostics diags;
      const auto s = load_scenario_file(f.string(), diags);
      std::string description = s ? s->description : "(does not validate: run cyanrig validate)";
      if (const auto nl = description.find('\n'); nl != std::string::npos)
        description = description.substr(0, nl);
      fmt::print("{:<24} {}\n", f.stem().string(), description);
    }
    return 0;
  }
  if (what == "devices") {
    Diagnostics diags;
    const auto rack = load_rack(rack_path, diags);
    if (!rack) {
      print_diagnostics(diags);
      return kExitInvalid;
    }
    fmt::print("rack {} ({}), safe power {}\n", rack->name, rack->file, to_string(rack->safe_power));
    fmt::print("{:<12} {:<26} {:<9} {:<9} {:<14} {}\n", "name", "id", "platform", "radio", "segment", "tags");
    for (const RackDevice& d : rack->devices) {
      std::string tags;
      for (const auto& t : d.tags) tags += (tags.empty() ? "" : ",") + t;
      fmt::print("{:<12} {:<26} {:<9} {:<9} {:<14} {}\n", d.name, d.id.str(), d.platform->name,
                 to_string(d.platform->radio), d.segment, tags);
    }
    return 0;
  }
  if (what == "platforms") {
    for (const Platform& p : all_platforms()) {
      fmt::print("{:<9} id {:<3} gen {} {:<9} keepalive {}s\n", p.name, p.id, p.generation,
                 to_string(p.radio), std::chrono::duration_cast<std::chrono::seconds>(p.keepalive).count());
    }
    return 0;
  }
  if (what == "states") {
    for (const auto s : led_state_names()) fmt::print("{}\n", s);
    return 0;
  }
  if (what == "events") {
    for (const auto& e : DevosLogParser::event_names()) fmt::print("{}\n", e);
    return 0;
  }
  fmt::print(stderr, "cyanrig list: unknown list '{}'; try scenarios, devices, platforms, states, events\n",
             what);
  return kExitInvalid;
}

int cmd_log_parse(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    fmt::print(stderr, "{}: cannot read file\n", file);
    return kExitInvalid;
  }
  DevosLogParser parser;
  parse_log_stream(in, std::cout, parser);
  return 0;
}

int cmd_led_decode(const std::string& file) {
  Diagnostics diags;
  const auto samples = read_led_trace_csv(file, diags);
  if (!samples) {
    print_diagnostics(diags);
    return kExitInvalid;
  }
  LedDecoder decoder;
  std::vector<LedStateChange> states = decoder.feed(*samples);
  for (auto& s : decoder.finish()) states.push_back(std::move(s));
  const Instant end = samples->empty() ? Instant{} : samples->back().t;
  for (std::size_t i = 0; i < states.size(); ++i) {
    const Instant state_end = i + 1 < states.size() ? states[i + 1].start : end;
    std::cout << led_state_json_line(states[i], state_end) << "\n";
  }
  return 0;
}

// The USB serial ports on this machine, and rack-file entries for the Particle devices among them.
int cmd_discover() {
  const UsbPortListing listing = list_usb_serial_ports();
  if (!listing.error.empty()) {
    fmt::print(stderr, "cyanrig discover: {}\n", listing.error);
    return static_cast<int>(ExitCode::infrastructure);
  }
  fmt::print("{}\n{}", format_discover_table(listing.ports), format_rack_snippet(listing.ports));
  return 0;
}

// Puts a rack device into DFU or listening mode by opening its port at the trigger baud rate.
int cmd_usb_mode(const std::string& device_name, UsbMode mode, const std::string& rack_path) {
  Diagnostics diags;
  const auto rack = load_rack(rack_path, diags);
  if (!rack) {
    print_diagnostics(diags);
    return kExitInvalid;
  }
  const RackDevice* device = rack->find_device(device_name);
  if (device == nullptr) {
    fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({})\n", device_name, rack->name, rack->file);
    return kExitInvalid;
  }
  const auto port = current_serial_port(*device);
  if (const auto* problem = std::get_if<PortProblem>(&port)) {
    fmt::print(stderr, "cyanrig: {}\n", problem->message);
    return problem->usage ? kExitInvalid : static_cast<int>(ExitCode::infrastructure);
  }
  const std::string& path = std::get<PortPath>(port).path;
  if (const Status status = request_usb_mode(path, mode)) {
    fmt::print(stderr, "cyanrig: {}: {}\n", device->name, status->message);
    return static_cast<int>(ExitCode::infrastructure);
  }
  fmt::print("{}: opened {} at {} baud: the device should now be in {} mode\n", device->name, path,
             trigger_baud(mode), mode == UsbMode::dfu ? "DFU" : "listening");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
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

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run",
                                     "Run a scenario and write results; exit 0 pass, 1 device failure, "
                                     "2 invalid files, 3 infrastructure error");
  run_cmd->add_option("scenario", run.scenario, "Scenario file, or the name of a shipped scenario")
      ->required();
  run_cmd->add_option("--rack", run.rack, "Rack file (default: the built-in simulated rack)");
  run_cmd->add_option("--seed", run.seed, "Seed for the simulated rack (same seed, same run)");
  run_cmd->add_option("--results", run.results, "Folder that receives results/<UTC time>-<scenario>/");
  run_cmd->add_flag("--no-results", run.no_results, "Write no results folder (verdict and exit code only)");
  run_cmd->add_option("--progress", run.progress, "auto (live on a terminal), live, plain or quiet")
      ->check(CLI::IsMember({"auto", "live", "plain", "quiet"}));

  std::vector<std::string> validate_files;
  std::string validate_rack;
  auto* validate_cmd = app.add_subcommand("validate",
                                          "Check scenario and rack files; every problem as "
                                          "file:line:col; exit 2 when any");
  validate_cmd->add_option("files", validate_files, "Scenario or rack files")->required();
  validate_cmd->add_option("--rack", validate_rack,
                           "Rack the scenarios must fit (default: built-in simulated rack)");

  std::string list_what = "scenarios";
  std::string list_rack;
  auto* list_cmd = app.add_subcommand("list",
                                      "List shipped scenarios, rack devices, platforms, LED states or "
                                      "Device OS events");
  list_cmd->add_option("what", list_what, "scenarios (default), devices, platforms, states, events");
  list_cmd->add_option("--rack", list_rack,
                       "Rack file for `list devices` (default: built-in simulated rack)");

  std::string log_file;
  auto* log_cmd = app.add_subcommand("log", "Device OS serial logs");
  log_cmd->require_subcommand(1);
  auto* log_parse = log_cmd->add_subcommand("parse", "Print one JSON object per recognised Device OS event");
  log_parse->add_option("file", log_file, "Captured serial log")->required()->check(CLI::ExistingFile);

  std::string led_file;
  auto* led_cmd = app.add_subcommand("led", "Status LED traces");
  led_cmd->require_subcommand(1);
  auto* led_decode =
      led_cmd->add_subcommand("decode", "Decode a t_ms,r,g,b[,c] CSV trace into LED states (JSON lines)");
  led_decode->add_option("file", led_file, "Trace CSV")->required()->check(CLI::ExistingFile);

  cli::Subcommands subcommands;
  cli::add_led_calibrate_command(*led_cmd, subcommands);
  cli::add_outage_commands(app, subcommands);
  cli::add_sim_commands(app, subcommands);

  auto* discover_cmd = app.add_subcommand(
      "discover",
      "List USB serial ports (Particle devices with their device ID and platform) and print "
      "rack-file entries for them");

  std::string mode_device;
  std::string mode_rack;
  auto* serial_cmd = app.add_subcommand("serial", "USB serial rig actions on a rack device");
  serial_cmd->require_subcommand(1);
  auto* dfu_cmd =
      serial_cmd->add_subcommand("dfu", "Put DEVICE into DFU mode (opens its port at 14400 baud)");
  auto* listening_cmd = serial_cmd->add_subcommand(
      "listening", "Put DEVICE into listening mode (opens its port at 28800 baud)");
  for (auto* cmd : {dfu_cmd, listening_cmd}) {
    cmd->add_option("device", mode_device, "Device name or ID in the rack")->required();
    cmd->add_option("--rack", mode_rack, "Rack file (default: the built-in simulated rack)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitInvalid;
  }
  if (verbosity == 1) spdlog::set_level(spdlog::level::info);
  if (verbosity >= 2) spdlog::set_level(spdlog::level::debug);

  try {
    if (*run_cmd) return cmd_run(run);
    if (*validate_cmd) return cmd_validate(validate_files, validate_rack);
    if (*list_cmd) return cmd_list(list_what, list_rack);
    if (*log_parse) return cmd_log_parse(log_file);
    if (*led_decode) return cmd_led_decode(led_file);
    if (*dfu_cmd) return cmd_usb_mode(mode_device, UsbMode::dfu, mode_rack);
    if (*listening_cmd) return cmd_usb_mode(mode_device, UsbMode::listening, mode_rack);
    if (*discover_cmd) return cmd_discover();
    if (const auto code = subcommands.run_chosen()) return *code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cyanrig: internal error: {}\n", e.what());
    return static_cast<int>(ExitCode::infrastructure);
  }
  return kExitInvalid;
}
