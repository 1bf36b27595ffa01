// A scenario checked against a rack: the devices, segments, backends, cloud and events it needs are
// there, and its outages are long enough to reach the devices it selects (a warning).
#include "rig/scenario/scenario_rack_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "rig/core/duration_text.hpp"
#include "rig/devos/log_parser.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {

// Events named by the scenario that only the rack's patterns can define.
void check_rack_events(const Scenario& scenario, const Rack& rack, Diagnostics& diags) {
  for (const auto& [event, loc] : scenario.rack_events) {
    const bool defined = std::any_of(rack.patterns.begin(), rack.patterns.end(),
                                     [&name = event](const EventPattern& p) { return p.event == name; });
    if (defined) continue;
    std::vector<std::string> names(DevosLogParser::event_names().begin(),
                                   DevosLogParser::event_names().end());
    for (const EventPattern& p : scenario.patterns) names.push_back(p.event);
    for (const EventPattern& p : rack.patterns) names.push_back(p.event);
    const std::string hint = did_you_mean(event, names);
    diags.error(loc,
                fmt::format("unknown event '{}'{}; Device OS events are listed in docs/scenarios.md, and "
                            "'patterns' in the scenario or rack file adds your own",
                            event, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }
}

namespace {

// Every segment the outage reaches has a backend that performs its mode.
void check_outage_backends(const Step& step, const OutageStep& outage,
                           const std::vector<const RackDevice*>& selected, const Rack& rack,
                           const BackendRegistry& registry, Diagnostics& diags) {
  std::vector<std::string> names = outage.segments;
  if (names.empty()) {
    for (const RackDevice* d : selected) {
      if (!d->segment.empty() && std::find(names.begin(), names.end(), d->segment) == names.end())
        names.push_back(d->segment);
    }
  }
  for (const std::string& name : names) {
    const Segment* seg = rack.find_segment(name);
    if (seg == nullptr || outage_backend_for(*seg, outage.spec.mode, registry)) continue;
    std::string offered;
    for (const BackendSpec& spec : seg->outages) {
      std::string modes;
      for (const OutageMode m : outage_modes(spec, *seg, registry)) {
        modes += (modes.empty() ? "" : ", ") + std::string(to_string(m));
      }
      offered += fmt::format("{}{} ({})", offered.empty() ? "" : "; ", spec.backend,
                             modes.empty() ? "nothing" : modes);
    }
    diags.error(step.loc, fmt::format("{}: segment '{}' in rack '{}' has no outage backend for mode {}; its "
                                      "backends do: {}",
                                      step.label(), name, rack.name, to_string(outage.spec.mode), offered));
  }
}

}  // namespace

namespace {

// An outage shorter than a device's loss detection time cannot be shown to reach it (a silent
// cellular device pings the cloud every 23 minutes): its verdicts will be inconclusive. The length
// counted is the `wait` steps between the outage's start and stop, as they resolve for the device.
void warn_short_outages(const Scenario& scenario, const std::vector<const RackDevice*>& selected,
                        Diagnostics& diags) {
  struct Short {
    Duration length;
    const Platform* platform;
    std::vector<std::string> devices;
  };
  std::map<std::pair<std::size_t, std::string_view>, Short> found;  // (start step, platform)
  for (const RackDevice* d : selected) {
    if (d->platform == nullptr) continue;
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    std::size_t started = kNone;  // the step that started the outage in force, if any
    Duration length{0};
    for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
      const Step& step = scenario.steps[i];
      if (const auto* o = std::get_if<OutageStep>(&step.action)) {
        if (o->start) {
          started = i;
          length = Duration{0};
        } else if (started != kNone) {
          if (length < d->platform->loss_detection()) {
            Short& s = found[{started, d->platform->name}];
            s.length = length;
            s.platform = d->platform;
            s.devices.push_back(d->name);
          }
          started = kNone;
        }
      } else if (const auto* w = std::get_if<WaitStep>(&step.action); w != nullptr && started != kNone) {
        length += scenario.resolve(w->duration, *d);
      } else if (started != kNone && (std::holds_alternative<PowerStep>(step.action) ||
                                      std::holds_alternative<SleepStep>(step.action))) {
        // A reboot or wake during the outage makes the device try to connect: it will notice.
        length += d->platform->loss_detection();
      }
    }
  }
  for (const auto& [key, s] : found) {
    const Step& start = scenario.steps[key.first];
    diags.warn(
        start.loc,
        fmt::format("{} lasts {} on {} ({}), and a {} notices a silent outage only after ~{}: its verdicts "
                    "will be inconclusive unless it reconnects during the outage; give {} devices a longer "
                    "wait (a limit with an override, as in orphan_check)",
                    start.label(), format_duration(s.length), fmt::join(s.devices, ", "), s.platform->name,
                    s.platform->name, format_duration(s.platform->loss_detection()),
                    to_string(s.platform->radio)));
  }
}

}  // namespace

void check_scenario_against_rack(const Scenario& scenario, const Rack& rack, Diagnostics& diags,
                                 const BackendRegistry* registry) {
  check_rack_events(scenario, rack, diags);
  const auto selected = scenario.select(rack);
  if (selected.empty()) {
    diags.error(scenario.devices.loc, fmt::format("devices: {} matches no device in rack '{}' ({})",
                                                  scenario.devices.describe(), rack.name, rack.file));
    return;
  }
  for (const std::string& name : scenario.devices.names) {
    if (rack.find_device(name) == nullptr) {
      diags.error(scenario.devices.loc, fmt::format("device '{}' is not in rack '{}'", name, rack.name));
    }
  }
  for (const Step& step : scenario.steps) {
    const auto need = [&](auto member, std::string_view what) {
      for (const RackDevice* d : selected) {
        if (!((*d).*member)) {
          diags.error(step.loc, fmt::format("{} needs {} but device '{}' has none in rack '{}'", step.label(),
                                            what, d->name, rack.name));
        }
      }
    };
    if (std::holds_alternative<PowerStep>(step.action)) need(&RackDevice::power, "a power backend");
    if (const auto* o = std::get_if<OutageStep>(&step.action)) {
      for (const std::string& seg : o->segments) {
        if (rack.find_segment(seg) == nullptr) {
          diags.error(step.loc,
                      fmt::format("{}: segment '{}' is not in rack '{}'", step.label(), seg, rack.name));
        }
      }
      if (o->segments.empty()) {
        for (const RackDevice* d : selected) {
          if (d->segment.empty()) {
            diags.error(step.loc, fmt::format("{}: device '{}' is on no network segment in rack '{}'",
                                              step.label(), d->name, rack.name));
          }
        }
      }
      if (o->start && registry != nullptr) check_outage_backends(step, *o, selected, rack, *registry, diags);
    }
    const bool cloud_step = std::holds_alternative<SleepStep>(step.action) ||
                            std::holds_alternative<OtaStep>(step.action) ||
                            std::holds_alternative<ExpectStep>(step.action);
    if (cloud_step && !rack.cloud) {
      const auto* e = std::get_if<ExpectStep>(&step.action);
      const bool needs_cloud = e == nullptr || !std::holds_alternative<Observation>(e->what) ||
                               std::get<Observation>(e->what).kind == Observation::Kind::cloud_status ||
                               std::get<Observation>(e->what).kind == Observation::Kind::cloud_event;
      if (needs_cloud)
        diags.error(step.loc, fmt::format("{} needs the rack's cloud, and rack '{}' has none", step.label(),
                                          rack.name));
    }
  }
  warn_short_outages(scenario, selected, diags);
}

}  // namespace cyanrig
