// `cyanrig validate FILES... [--rack R]`: every problem in scenario and rack files as file:line:col,
// exit 2 when there is any. Scenarios are checked against --rack (the built-in simulated rack by
// default); a rack file among FILES is checked on its own.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "cli/shipped_scenarios.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::cli {
namespace {

struct ValidateArgs {
  std::vector<std::string> files;
  std::string rack;
};

void validate_rack(const YAML::Node& root, const std::string& file, Diagnostics& here) {
  if (auto r = read_rack(root, file, here)) {
    validate_rack_backends(*r, backends(), here);
    if (here.empty()) fmt::print("ok: {}: rack '{}', {} devices\n", file, r->name, r->devices.size());
  }
}

void validate_scenario(const YAML::Node& root, const std::string& file, const std::optional<Rack>& rack,
                       Diagnostics& here) {
  const auto s = read_scenario(root, file, here, rack ? &*rack : nullptr);
  if (!s) return;
  if (!rack) {
    // Not "ok": what matters is whether it fits the rack, and the rack's problems are printed.
    if (here.empty())
      fmt::print("{}: scenario '{}' reads, but the rack could not be loaded to check it\n", file, s->name);
    return;
  }
  check_scenario_against_rack(*s, *rack, here, &backends());
  if (!here.empty()) return;
  const std::size_t selected = s->select(*rack).size();
  fmt::print("ok: {}: scenario '{}', {} steps, {} device{} selected on rack '{}', {} repeat{}\n", file,
             s->name, s->steps.size(), selected, selected == 1 ? "" : "s", rack->name, s->repeat,
             s->repeat == 1 ? "" : "s");
}

int cmd_validate(const ValidateArgs& args) {
  Diagnostics diags;
  const auto rack = load_rack(args.rack, diags);
  for (const std::string& arg : args.files) {
    const ScenarioChoice choice = find_scenario(arg);
    Diagnostics here;
    if (choice.file.empty()) {
      here.error({}, choice.problem);
    } else if (const auto root = load_yaml_file(choice.file, here)) {  // read once, whatever it is
      if (is_rack_document(*root)) {
        validate_rack(*root, choice.file, here);
      } else {
        validate_scenario(*root, choice.file, rack, here);
      }
    }
    diags.append(here);
  }
  print_warnings(diags);
  print_diagnostics(diags);
  return diags.empty() ? kExitPass : kExitInvalid;
}

}  // namespace

void add_validate_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand("validate",
                                 "Check scenario and rack files; every problem as file:line:col; exit 2 "
                                 "when any");
  cmd->add_option("files", args->files, "Scenario or rack files, or names of shipped scenarios")->required();
  cmd->add_option("--rack", args->rack,
                  "Rack the scenarios must fit (default: the built-in simulated rack); a rack file given "
                  "among FILES is only checked on its own");
  commands.on(cmd, [args] { return cmd_validate(*args); });
}

}  // namespace cyanrig::cli
