#include "rig/scenario/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "rig/core/duration_text.hpp"
#include "rig/core/overloaded.hpp"

namespace cyanrig {
namespace {

bool any_of(const std::vector<std::string>& values, const std::string& x) {
  return std::find(values.begin(), values.end(), x) != values.end();
}

std::string list(const std::vector<std::string>& values) {
  if (values.size() == 1) return values.front();
  std::string out = "[";
  for (const auto& v : values) out += (out.size() > 1 ? ", " : "") + v;
  return out + "]";
}

}  // namespace

bool DeviceSelector::matches(const RackDevice& d) const {
  if (all) return true;
  if (!names.empty() && !any_of(names, d.name) && !any_of(names, d.id.str())) return false;
  if (!platforms.empty() && !any_of(platforms, std::string(d.platform->name)) &&
      !(d.platform->name == "p2" && any_of(platforms, "photon2"))) {
    return false;
  }
  if (!radios.empty() && !any_of(radios, std::string(to_string(d.platform->radio)))) return false;
  if (!tags.empty() &&
      std::none_of(tags.begin(), tags.end(), [&](const std::string& t) { return any_of(d.tags, t); })) {
    return false;
  }
  return true;
}

std::string DeviceSelector::describe() const {
  if (all) return "all";
  std::vector<std::string> parts;
  if (!names.empty()) parts.push_back("name: " + list(names));
  if (!tags.empty()) parts.push_back("tag: " + list(tags));
  if (!platforms.empty()) parts.push_back("platform: " + list(platforms));
  if (!radios.empty()) parts.push_back("radio: " + list(radios));
  std::string out = "{";
  for (const auto& p : parts) out += (out.size() > 1 ? ", " : "") + p;
  return out + "}";
}

std::string Observation::describe() const {
  switch (kind) {
    case Kind::led:
      return fmt::format("LED {}", value);
    case Kind::serial:
      return fmt::format("serial line /{}/", value);
    case Kind::event:
      return fmt::format("Device OS event {}", value);
    case Kind::cloud_status:
      return fmt::format("cloud status {}", value);
    case Kind::cloud_event:
      return data.empty() ? fmt::format("cloud event {}", value)
                          : fmt::format("cloud event {} '{}'", value, data);
    case Kind::awake:
      return "device awake";
    case Kind::mark:
      return fmt::format("mark {}", value);
  }
  return value;
}

std::string_view Step::kind() const {
  return std::visit(
      Overloaded{[](const PowerStep&) { return "power"; }, [](const OutageStep&) { return "outage"; },
                 [](const WaitStep&) { return "wait"; }, [](const MarkStep&) { return "mark"; },
                 [](const ExpectStep&) { return "expect"; }, [](const SleepStep&) { return "sleep"; },
                 [](const OtaStep&) { return "ota"; }},
      action);
}

std::string Step::label() const {
  const std::string detail = std::visit(
      Overloaded{
          [](const PowerStep& p) {
            return std::string(p.action == PowerStep::Action::on    ? "on"
                               : p.action == PowerStep::Action::off ? "off"
                                                                    : "cycle");
          },
          [](const OutageStep& o) {
            return o.start ? fmt::format("start {}", describe(o.spec)) : std::string("stop");
          },
          [](const WaitStep& w) {
            return w.duration.literal ? format_duration(*w.duration.literal) : w.duration.name;
          },
          [](const MarkStep& m) { return m.name; },
          [](const ExpectStep& e) {
            return std::visit(
                Overloaded{[](const Observation& o) { return o.describe(); },
                           [](const CloudCall& c) { return fmt::format("call {}", c.function); },
                           [](const VariableRead& v) { return fmt::format("variable {}", v.variable); }},
                e.what);
          },
          [](const SleepStep& s) { return fmt::format("{} for {}", s.mode, format_duration(s.duration)); },
          [](const OtaStep& o) { return o.firmware.filename().string(); }},
      action);
  return fmt::format("steps[{}] {} {}", index, kind(), detail);
}

Duration Scenario::resolve(const LimitRef& ref, const RackDevice& device) const {
  if (ref.literal) return *ref.literal;
  Duration value = limits.at(ref.name);
  const auto apply = [&](const std::string& key) {
    const auto it = overrides.find(key);
    if (it == overrides.end()) return;
    const auto lim = it->second.find(ref.name);
    if (lim != it->second.end()) value = lim->second;
  };
  apply(fmt::format("gen{}", device.platform->generation));
  apply(std::string(to_string(device.platform->radio)));
  apply(std::string(device.platform->name));
  return value;
}

std::vector<const RackDevice*> Scenario::select(const Rack& rack) const {
  std::vector<const RackDevice*> out;
  for (const RackDevice& d : rack.devices) {
    if (devices.matches(d)) out.push_back(&d);
  }
  return out;
}

Duration Scenario::longest_on(const RackDevice& device) const {
  const auto limit = [&](const LimitRef& ref) { return resolve(ref, device); };
  Duration one_repeat{0};
  for (const Step& step : steps) {
    one_repeat += std::visit(Overloaded{[](const PowerStep& s) { return s.off_for.value_or(Duration{0}); },
                                        [&](const WaitStep& s) { return limit(s.duration); },
                                        [&](const ExpectStep& s) { return limit(s.within); },
                                        [&](const SleepStep& s) { return s.duration + limit(s.within); },
                                        [&](const OtaStep& s) { return limit(s.within); },
                                        [](const auto&) { return Duration{0}; }},
                             step.action);
  }
  return one_repeat * std::max(repeat, 1);
}

double in_unit(Duration d, const std::string& unit) {
  if (unit == "ms") return to_ms(d);
  if (unit == "min") return to_seconds(d) / 60.0;
  return to_seconds(d);
}

Duration from_unit(double value, const std::string& unit) {
  const double micros = unit == "ms" ? value * 1e3 : unit == "min" ? value * 60e6 : value * 1e6;
  return Duration{static_cast<Duration::rep>(micros)};
}

}  // namespace cyanrig
