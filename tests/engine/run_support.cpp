#include "run_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "drivers/all_backends.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"

namespace cyanrig::test {

Rack sim_rack(const std::vector<std::string>& devices, const std::vector<Fault>& faults) {
  Rack rack = builtin_sim_rack();
  if (!devices.empty()) {
    std::erase_if(rack.devices, [&](const RackDevice& d) {
      return std::find(devices.begin(), devices.end(), d.name) == devices.end();
    });
  }
  for (const Fault& f : faults) {
    auto it = std::find_if(rack.devices.begin(), rack.devices.end(),
                           [&](const RackDevice& d) { return d.name == f.device; });
    if (it == rack.devices.end()) throw std::invalid_argument("no device " + f.device);
    it->faults.push_back(FaultSpec{.name = f.name, .probability = f.probability});
  }
  return rack;
}

void set_param(BackendSpec& spec, const std::string& key, const std::string& yaml_value) {
  YAML::Node params = spec.params.IsMap() ? YAML::Clone(spec.params) : YAML::Node(YAML::NodeType::Map);
  params["backend"] = spec.backend;
  params[key] = YAML::Load(yaml_value);
  spec.params.reset(params);  // rebinds: `=` would write into the node shared with other devices
}

RackDevice& device_of(Rack& rack, const std::string& name) {
  for (RackDevice& d : rack.devices) {
    if (d.name == name) return d;
  }
  throw std::invalid_argument("no device " + name);
}

namespace {
Scenario checked(std::optional<Scenario> s, Diagnostics& diags) {
  if (!s) throw std::invalid_argument(diags.items().front().to_string());
  return *s;
}
}  // namespace

Scenario shipped_scenario(const std::string& name) {
  Diagnostics diags;
  // fmt, not a chain of string +: GCC 12 warns falsely about that chain (-Warray-bounds) at -O2.
  return checked(load_scenario_file(fmt::format("{}/scenarios/{}.yaml", CYANRIG_SOURCE_DIR, name), diags),
                 diags);
}

Scenario scenario_from_text(const std::string& yaml) {
  Diagnostics diags;
  return checked(parse_scenario(yaml, "test.yaml", diags), diags);
}

const CaseResult* Outcome::failed_case(const std::string& device) const {
  for (const CaseResult& c : report.result.cases) {
    if (c.device == device && !c.passed()) return &c;
  }
  return nullptr;
}

std::string Outcome::failures() const {
  std::string text;
  for (const Failure& f : report.result.run_failures)
    text += fmt::format("run: {} {}: {}\n", to_string(f.cls), f.kind, f.message);
  for (const CaseResult& c : report.result.cases) {
    for (const Failure& f : c.failures) {
      text +=
          fmt::format("{} repeat {}: {} {}: {}\n", c.device, c.repeat, to_string(f.cls), f.kind, f.message);
    }
  }
  return text;
}

const DeviceSummary* Outcome::device(const std::string& name) const {
  for (const DeviceSummary& d : report.result.devices) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::size_t Outcome::count(EventKind kind, const std::string& name, const std::string& device) const {
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const Event& e) {
    return e.kind == kind && e.name == name && e.device == device;
  }));
}

Outcome run(const Scenario& scenario, const Rack& rack, std::uint64_t seed, const BackendRegistry* registry,
            const std::filesystem::path& results_root, bool health_check) {
  Outcome out;
  RunOptions options;
  options.seed = seed;
  options.results_root = results_root;
  options.health_check = health_check;
  options.handle_signals = false;
  options.observe = [&out](Timeline& timeline, const Scenario&) {
    timeline.subscribe([&out](const Event& e) { out.events.push_back(e); });
  };
  out.report = run_scenario(scenario, rack, registry != nullptr ? *registry : all_backends(), options);
  return out;
}

}  // namespace cyanrig::test
