// A scenario as written in a scenario file (docs/scenarios.md): which devices, how many repeats,
// the steps each device goes through, and the measurements with their pass criteria.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "rig/capabilities/outage.hpp"
#include "rig/capabilities/power.hpp"
#include "rig/core/diagnostic.hpp"
#include "rig/core/time.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

// `devices:` — all, or devices matching every given field (each field: one value or a list).
struct DeviceSelector {
  bool all = false;
  std::vector<std::string> names;  // device names or ids
  std::vector<std::string> tags;
  std::vector<std::string> platforms;
  std::vector<std::string> radios;  // wifi, cellular
  SourceLoc loc;

  bool matches(const RackDevice& device) const;
  std::string describe() const;
};

// A duration written literally ("90s") or by the name of a limit ("reconnect") that may differ
// per platform through `overrides:`.
struct LimitRef {
  std::optional<Duration> literal;
  std::string name;
  SourceLoc loc;
};

// Something that shows up on a device's timeline and can be waited for or measured to.
struct Observation {
  enum class Kind { led, serial, event, cloud_status, cloud_event, awake, mark };
  Kind kind = Kind::mark;
  std::string value;  // LED state, regex text, event name, online/offline, cloud event name, mark
  std::string data;   // cloud_event: expected data (compared trimmed); empty = any
  std::shared_ptr<const std::regex> regex;  // serial
  SourceLoc loc;

  std::string describe() const;  // "LED breathing_cyan", "serial line /Cloud connected/", ...
};

struct CloudCall {
  std::string function;
  std::string arg;
  std::optional<long long> returns;
};

struct VariableRead {
  std::string variable;
  std::optional<std::string> equals;
};

struct PowerStep {
  enum class Action { on, off, cycle } action = Action::on;
  std::optional<Duration> off_for;  // cycle: how long the supply stays off
};

struct OutageStep {
  bool start = true;
  OutageSpec spec;
  std::vector<std::string> segments;  // empty: every segment of the selected devices
};

// `wait: 3m`, or `wait: outage` naming a limit, so the wait can differ per platform (a cellular
// device needs a longer outage than a Wi-Fi one before it can notice it).
struct WaitStep {
  LimitRef duration;
};

struct MarkStep {
  std::string name;
};

struct ExpectStep {
  std::variant<Observation, CloudCall, VariableRead> what;
  LimitRef within;
  std::string from;  // mark the deadline is measured from
};

struct SleepStep {
  std::string mode;  // stop, ulp, hibernate
  Duration duration{0};
  std::string function = "sleep";  // the firmware's cloud function that puts it to sleep
  LimitRef within;                 // how long it may take to go dark after the request
};

struct OtaStep {
  std::filesystem::path firmware;  // resolved against the scenario file's folder
  LimitRef within;                 // how long the cloud may take to start the update
};

struct Step {
  using Action = std::variant<PowerStep, OutageStep, WaitStep, MarkStep, ExpectStep, SleepStep, OtaStep>;
  Action action;
  int index = 0;  // position in steps:, from 0
  SourceLoc loc;

  std::string_view kind() const;  // "power", "outage", ...
  // Steps on a shared resource (an outage on a segment) run once for all devices, after every
  // device still running has reached them.
  bool shared() const { return std::holds_alternative<OutageStep>(action); }
  std::string label() const;  // "steps[3] expect LED breathing_cyan"
};

struct Criterion {
  std::string statistic;  // max, min, mean, p50, p75, p95
  LimitRef limit;
  SourceLoc loc;
};

struct Measurement {
  std::string name;
  Observation from;  // usually a mark
  Observation to;
  std::string unit;  // s, ms, min
  std::vector<Criterion> pass;
  SourceLoc loc;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  DeviceSelector devices;
  int repeat = 1;
  std::map<std::string, Duration> limits;
  std::map<std::string, std::map<std::string, Duration>> overrides;  // key: platform, radio or genN
  std::vector<EventPattern> patterns;                                // application log lines -> event names
  std::vector<Step> steps;
  std::vector<Measurement> measurements;
  // `event:` names that are neither Device OS events nor this file's patterns: the rack's patterns
  // must define them (checked by check_scenario_against_rack).
  std::vector<std::pair<std::string, SourceLoc>> rack_events;

  // The limit as it applies to `device`: platform overrides beat radio/generation overrides,
  // which beat the default in `limits:`.
  Duration resolve(const LimitRef& ref, const RackDevice& device) const;
  std::vector<const RackDevice*> select(const Rack& rack) const;
  // The most one run can take on `device`, every wait taken to its limit and every repeat run: the
  // bound the monitor promises a waiting run when it holds the rack for a probe (docs/monitoring.md).
  Duration longest_on(const RackDevice& device) const;
};

// Unit conversion for measurements.
double in_unit(Duration d, const std::string& unit);
Duration from_unit(double value, const std::string& unit);

}  // namespace cyanrig
