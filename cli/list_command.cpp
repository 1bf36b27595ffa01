// `cyanrig list [scenarios|devices|platforms|states|events]`: what there is to run and to expect.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "cli/shipped_scenarios.hpp"
#include "rig/devos/log_parser.hpp"
#include "rig/led/led_state.hpp"
#include "rig/scenario/scenario_file.hpp"

namespace cyanrig::cli {
namespace {

struct ListArgs {
  std::string what = "scenarios";
  std::string rack;
};

int list_scenarios() {
  const auto shipped = shipped_scenarios();
  if (shipped.empty()) {
    fmt::print(stderr, "cyanrig list: no shipped scenarios found (set CYANRIG_SCENARIOS to their folder)\n");
    return kExitInvalid;
  }
  for (const auto& [name, file] : shipped) {
    Diagnostics diags;
    const auto s = load_scenario_file(file.string(), diags);
    std::string description = s ? s->description : "(does not validate: run cyanrig validate)";
    if (const auto nl = description.find('\n'); nl != std::string::npos)
      description = description.substr(0, nl);
    fmt::print("{:<24} {}\n", name, description);
  }
  return kExitPass;
}

int list_devices(const std::string& rack_path) {
  const auto rack = open_rack(rack_path);
  if (!rack) return kExitInvalid;
  fmt::print("rack {} ({}), safe power {}\n", rack->name, rack->file, to_string(rack->safe_power));
  fmt::print("{:<12} {:<26} {:<9} {:<9} {:<14} {}\n", "name", "id", "platform", "radio", "segment", "tags");
  for (const RackDevice& d : rack->devices) {
    std::string tags;
    for (const auto& t : d.tags) tags += (tags.empty() ? "" : ",") + t;
    fmt::print("{:<12} {:<26} {:<9} {:<9} {:<14} {}\n", d.name, d.id.str(), d.platform->name,
               to_string(d.platform->radio), d.segment, tags);
  }
  return kExitPass;
}

int cmd_list(const ListArgs& args) {
  if (args.what == "scenarios") return list_scenarios();
  if (args.what == "devices") return list_devices(args.rack);
  if (args.what == "platforms") {
    for (const Platform& p : all_platforms()) {
      fmt::print("{:<9} id {:<3} gen {} {:<9} keepalive {}s\n", p.name, p.id, p.generation,
                 to_string(p.radio), std::chrono::duration_cast<std::chrono::seconds>(p.keepalive).count());
    }
    return kExitPass;
  }
  if (args.what == "states") {
    for (const auto s : led_state_names()) fmt::print("{}\n", s);
    return kExitPass;
  }
  for (const auto& e : DevosLogParser::event_names()) fmt::print("{}\n", e);
  return kExitPass;
}

}  // namespace

void add_list_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<ListArgs>();
  auto* cmd = app.add_subcommand("list",
                                 "List shipped scenarios, rack devices, platforms, LED states or Device OS "
                                 "events");
  cmd->add_option("what", args->what, "scenarios (default), devices, platforms, states, events")
      ->check(CLI::IsMember({"scenarios", "devices", "platforms", "states", "events"}));
  cmd->add_option("--rack", args->rack, "Rack file for `list devices` (default: built-in simulated rack)");
  commands.on(cmd, [args] { return cmd_list(*args); });
}

}  // namespace cyanrig::cli
