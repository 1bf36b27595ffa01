#include "rig/scenario/scenario_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

#include "rig/core/duration_text.hpp"
#include "rig/devos/log_parser.hpp"
#include "rig/led/led_state.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_rack_checks.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

const std::vector<std::string> kStepKinds = {"power", "outage", "wait", "mark", "expect", "sleep", "ota"};
const std::vector<std::string> kObservationKeys = {"led", "serial", "event", "cloud", "cloud_event", "awake"};
const std::vector<std::string> kStatistics = {"max", "min", "mean", "p50", "p75", "p95"};
const std::vector<std::string> kUnits = {"ms", "s", "min"};
// Marks every repeat has without a mark step.
const std::vector<std::string> kBuiltinMarks = {"repeat_start", "step_start"};

std::vector<std::string> override_keys() {
  std::vector<std::string> keys = {"wifi", "cellular", "gen2", "gen3", "gen4"};
  for (const Platform& p : all_platforms()) keys.emplace_back(p.name);
  return keys;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool looks_like_duration(const std::string& text) {
  return !text.empty() && (std::isdigit(static_cast<unsigned char>(text.front())) != 0 ||
                           text.front() == '-' || text.front() == '.');
}

// Reads the state of one scenario file, collecting every problem.
class ScenarioReader {
 public:
  ScenarioReader(std::string file, Diagnostics& diags) : file_(std::move(file)), diags_(diags) {}

  std::optional<Scenario> read(const YAML::Node& root) {
    MapReader r(root, file_, diags_, "scenario file");
    if (!r.valid()) return std::nullopt;
    Scenario s;
    s.file = file_;
    s.name = r.text("scenario", true).value_or("");
    s.description = r.text("description").value_or("");
    s.repeat = static_cast<int>(r.integer("repeat", false, 1, 100000).value_or(1));
    read_selector(r, s);
    read_limits(r, s);
    read_patterns(r, s);
    const YAML::Node steps = r.node("steps");
    if (!steps.IsDefined() || !steps.IsSequence() || steps.size() == 0) {
      r.error("steps", "a scenario needs 'steps': a list with at least one step");
    } else {
      s.steps.reserve(steps.size());  // a Step is ~300 bytes: no growing by doubling
      for (const YAML::Node& item : steps) read_step(item, s);
    }
    const YAML::Node measure = r.node("measure");
    if (measure.IsDefined() && !measure.IsNull()) {
      if (!measure.IsSequence()) {
        r.error("measure", "'measure' must be a list of measurements");
      } else {
        for (const YAML::Node& item : measure) read_measurement(item, s);
      }
    }
    r.finish();
    return s;
  }

 private:
  void read_selector(MapReader& r, Scenario& s) {
    const YAML::Node node = r.node("devices");
    s.devices.loc = r.loc("devices");
    if (!node.IsDefined() || node.IsNull()) {
      r.error("devices",
              "a scenario needs 'devices': all, or a selector such as {tag: wifi} or {platform: boron}");
      return;
    }
    if (node.IsScalar()) {
      if (node.Scalar() == "all") {
        s.devices.all = true;
      } else {
        diags_.error(loc_of(node, file_),
                     fmt::format("devices must be 'all' or a mapping such as {{tag: wifi}}, "
                                 "found '{}'",
                                 node.Scalar()));
      }
      return;
    }
    MapReader m(node, file_, diags_, "device selector");
    if (!m.valid()) return;
    s.devices.names = m.text_list("name");
    for (auto& id : m.text_list("id")) s.devices.names.push_back(id);
    s.devices.tags = m.text_list("tag");
    s.devices.platforms = m.text_list("platform");
    for (const auto& p : s.devices.platforms) {
      if (find_platform(p) == nullptr) {
        m.error("platform", fmt::format("unknown platform '{}'; known: {}", p, platform_names()));
      }
    }
    s.devices.radios = m.text_list("radio");
    for (const auto& radio : s.devices.radios) {
      if (radio != "wifi" && radio != "cellular") {
        m.error("radio", fmt::format("radio must be wifi or cellular, found '{}'", radio));
      }
    }
    m.finish();
    if (s.devices.names.empty() && s.devices.tags.empty() && s.devices.platforms.empty() &&
        s.devices.radios.empty()) {
      m.error("", "device selector is empty: give name, id, tag, platform or radio (or write devices: all)");
    }
  }

  void read_limits(MapReader& r, Scenario& s) {
    const YAML::Node limits = r.node("limits");
    if (limits.IsDefined() && !limits.IsNull()) {
      if (!limits.IsMap()) {
        r.error("limits", "'limits' must map limit names to durations, e.g. {reconnect: 3m}");
      } else {
        for (const auto& kv : limits) {
          const std::string name = kv.first.Scalar();
          if (!is_identifier(name)) {
            diags_.error(loc_of(kv.first, file_), fmt::format("limit name '{}' {}", name, kIdentifierRule));
          }
          if (auto d = scalar_duration(kv.second, file_, diags_, fmt::format("limit '{}'", name)))
            s.limits[name] = *d;
        }
      }
    }
    const YAML::Node overrides = r.node("overrides");
    if (!overrides.IsDefined() || overrides.IsNull()) return;
    if (!overrides.IsMap()) {
      r.error("overrides",
              "'overrides' must map a platform, radio or generation to limits, e.g. "
              "{cellular: {reconnect: 30m}}");
      return;
    }
    const auto keys = override_keys();
    for (const auto& kv : overrides) {
      const std::string key = kv.first.Scalar();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        const std::string hint = did_you_mean(key, keys);
        diags_.error(loc_of(kv.first, file_),
                     fmt::format("overrides key '{}' is not a platform, radio (wifi, cellular) or generation "
                                 "(gen2, gen3, gen4){}",
                                 key, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
        continue;
      }
      if (!kv.second.IsMap()) {
        diags_.error(loc_of(kv.second, file_),
                     fmt::format("overrides for '{}' must map limit names to durations", key));
        continue;
      }
      for (const auto& lim : kv.second) {
        const std::string name = lim.first.Scalar();
        if (!s.limits.contains(name)) {
          diags_.error(loc_of(lim.first, file_),
                       fmt::format("override of unknown limit '{}': declare it under 'limits' first", name));
          continue;
        }
        if (auto d = scalar_duration(lim.second, file_, diags_, fmt::format("limit '{}'", name))) {
          s.overrides[key][name] = *d;
        }
      }
    }
  }

  void read_patterns(MapReader& r, Scenario& s) {
    s.patterns = read_event_patterns(r.node("patterns"), file_, diags_);
    for (const EventPattern& p : s.patterns) user_events_.insert(p.event);
  }

  std::shared_ptr<const std::regex> compile_regex(const std::string& text, const SourceLoc& loc) {
    try {
      return std::make_shared<const std::regex>(text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      diags_.error(loc, fmt::format("bad regular expression '{}': {}", text, e.what()));
      return nullptr;
    }
  }

  std::optional<LimitRef> read_limit(MapReader& m, std::string_view key, const Scenario& s, bool required) {
    const YAML::Node node = m.node(key);
    if (!node.IsDefined() || node.IsNull()) {
      if (required)
        m.error("", fmt::format("{} needs '{}': a duration (90s) or the name of a limit", m.what(), key));
      return std::nullopt;
    }
    return read_limit_value(node, s, fmt::format("'{}'", key));
  }

  std::optional<LimitRef> read_limit_value(const YAML::Node& node, const Scenario& s,
                                           const std::string& what) {
    const auto text = scalar_text(node, file_, diags_, what);
    if (!text) return std::nullopt;
    LimitRef ref;
    ref.loc = loc_of(node, file_);
    if (looks_like_duration(*text)) {
      DurationParse p = parse_duration(*text);
      if (!p.value) {
        diags_.error(ref.loc, fmt::format("{}: {}", what, p.error));
        return std::nullopt;
      }
      ref.literal = p.value;
      return ref;
    }
    if (!s.limits.contains(*text)) {
      std::vector<std::string> names;
      for (const auto& [n, _] : s.limits) names.push_back(n);
      const std::string hint = did_you_mean(*text, names);
      diags_.error(ref.loc,
                   fmt::format("{}: '{}' is neither a duration (e.g. 90s, 5m) nor a limit declared under "
                               "'limits'{}",
                               what, *text, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
      return std::nullopt;
    }
    ref.name = *text;
    return ref;
  }

  // A reference mark must be set by an earlier step (or be built in).
  void check_mark(const std::string& mark, const SourceLoc& loc, std::string_view what) {
    if (std::find(kBuiltinMarks.begin(), kBuiltinMarks.end(), mark) != kBuiltinMarks.end()) return;
    if (marks_.contains(mark)) return;
    const bool later = later_marks_.contains(mark);
    std::vector<std::string> known(kBuiltinMarks.begin(), kBuiltinMarks.end());
    known.insert(known.end(), marks_.begin(), marks_.end());
    const std::string hint = did_you_mean(mark, known);
    diags_.error(loc, fmt::format("{} refers to mark '{}', which {}; marks known here: {}{}", what, mark,
                                  later ? "is only set by a later step" : "no step sets", join(known),
                                  hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }

  std::optional<Observation> read_observation(MapReader& m, bool allow_mark) {
    std::vector<std::string> present;
    for (const auto& key : kObservationKeys) {
      if (m.has(key)) present.push_back(key);
    }
    if (allow_mark && m.has("mark")) present.emplace_back("mark");
    if (present.size() != 1) {
      m.error("", fmt::format("{} one of: {}{}", present.empty() ? "needs" : "must name only",
                              join(kObservationKeys), allow_mark ? ", mark" : ""));
      for (const auto& key : present) m.node(key);
      return std::nullopt;
    }
    const std::string key = present.front();
    Observation o;
    o.loc = m.loc(key);
    const auto value = m.text(key);
    if (!value) return std::nullopt;
    o.value = *value;
    if (key == "led") {
      o.kind = Observation::Kind::led;
      if (!is_led_state_name(*value)) {
        std::vector<std::string> names;
        for (const auto n : led_state_names()) names.emplace_back(n);
        const std::string hint = did_you_mean(*value, names);
        m.error(key,
                fmt::format("unknown LED state '{}'{}; states: {}", *value,
                            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), join(names)));
        return std::nullopt;
      }
    } else if (key == "serial") {
      o.kind = Observation::Kind::serial;
      o.regex = compile_regex(*value, o.loc);
      if (!o.regex) return std::nullopt;
    } else if (key == "event") {
      o.kind = Observation::Kind::event;
      const auto& builtin = DevosLogParser::event_names();
      // Neither Device OS's nor this file's: the rack's patterns must define it (checked against the rack).
      if (std::find(builtin.begin(), builtin.end(), *value) == builtin.end() &&
          !user_events_.contains(*value)) {
        rack_events_.emplace_back(*value, o.loc);
      }
    } else if (key == "cloud") {
      o.kind = Observation::Kind::cloud_status;
      if (*value != "online" && *value != "offline") {
        m.error(key, fmt::format("cloud must be online or offline, found '{}'", *value));
        return std::nullopt;
      }
    } else if (key == "cloud_event") {
      o.kind = Observation::Kind::cloud_event;
      o.data = m.text("data").value_or("");
    } else if (key == "awake") {
      o.kind = Observation::Kind::awake;
      if (*value != "true") {
        m.error(key, "awake takes the value true (the device woke from sleep)");
        return std::nullopt;
      }
    } else {
      o.kind = Observation::Kind::mark;
    }
    return o;
  }

  void read_step(const YAML::Node& item, Scenario& s) {
    const int index = static_cast<int>(s.steps.size() + rejected_steps_);
    MapReader m(item, file_, diags_, fmt::format("steps[{}]", index));
    if (!m.valid()) {
      ++rejected_steps_;
      return;
    }
    std::vector<std::string> kinds;
    for (const auto& k : kStepKinds) {
      if (m.has(k)) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
      if (kinds.empty()) {
        std::string first;
        for (const auto& kv : item) {
          first = kv.first.Scalar();
          break;
        }
        const std::string hint = did_you_mean(first, kStepKinds);
        m.error(first, fmt::format("unknown step '{}'{}; steps are: {}", first,
                                   hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                                   join(kStepKinds)));
      } else {
        m.error(kinds[1],
                fmt::format("one step per list item: found both '{}' and '{}'", kinds[0], kinds[1]));
      }
      ++rejected_steps_;
      return;
    }
    Step step;
    step.index = index;
    step.loc = m.loc();
    const std::string& kind = kinds.front();
    std::optional<Step::Action> action;
    if (kind == "power") action = read_power(m);
    if (kind == "outage") action = read_outage(m);
    if (kind == "wait") {
      if (auto d = read_limit(m, "wait", s, true)) action = WaitStep{*d};
    }
    if (kind == "mark") {
      if (auto name = m.text("mark")) {
        if (!is_identifier(*name)) {
          m.error("mark", fmt::format("mark name '{}' {}", *name, kIdentifierRule));
        } else {
          action = MarkStep{*name};
          marks_.insert(*name);
        }
      }
    }
    if (kind == "expect") action = read_expect(m, s);
    if (kind == "sleep") action = read_sleep(m, s);
    if (kind == "ota") action = read_ota(m, s);
    m.finish();
    if (!action) {
      ++rejected_steps_;
      return;
    }
    step.action = std::move(*action);
    s.steps.push_back(std::move(step));
  }

  std::optional<Step::Action> read_power(MapReader& m) {
    const auto what = m.choice("power", {"on", "off", "cycle"});
    const auto off_for = m.duration("off_for");
    if (!what) return std::nullopt;
    PowerStep p;
    p.action = *what == "on"    ? PowerStep::Action::on
               : *what == "off" ? PowerStep::Action::off
                                : PowerStep::Action::cycle;
    if (p.action == PowerStep::Action::cycle) {
      if (!off_for) {
        m.error("power", "power: cycle needs 'off_for': how long the supply stays off (e.g. 5s)");
        return std::nullopt;
      }
      p.off_for = off_for;
    } else if (m.has("off_for")) {
      m.error("off_for", "'off_for' belongs to power: cycle");
      return std::nullopt;
    }
    return p;
  }

  std::optional<Step::Action> read_outage(MapReader& m) {
    const auto what = m.choice("outage", {"start", "stop"});
    OutageStep o;
    o.segments = m.text_list("segment");
    if (!what) return std::nullopt;
    o.start = *what == "start";
    if (!o.start) {
      for (const char* key : {"mode", "action", "loss", "delay", "jitter"}) {
        if (m.has(key)) {
          m.error(key,
                  fmt::format("outage: stop lifts whatever is in force; '{}' belongs to outage: start", key));
          return std::nullopt;
        }
      }
      return o;
    }
    std::vector<std::string> modes;
    for (const OutageMode mode : kOutageModes) modes.emplace_back(to_string(mode));
    const auto mode = m.choice("mode", modes, true);
    if (!mode) return std::nullopt;
    o.spec.mode = *outage_mode_named(*mode);
    const bool blocks = o.spec.mode != OutageMode::impair && o.spec.mode != OutageMode::link;
    if (const auto action = m.choice("action", {"drop", "reject"})) {
      if (!blocks) {
        m.error("action", fmt::format("'action' (drop or reject) applies to cloud, internet and dns outages, "
                                      "not to {}",
                                      *mode));
        return std::nullopt;
      }
      o.spec.action = *action == "reject" ? OutageAction::reject : OutageAction::drop;
    }
    if (o.spec.mode != OutageMode::impair) {
      for (const char* key : {"loss", "delay", "jitter"}) {
        if (m.has(key)) {
          m.node(key);  // reported here, not again as unknown
          m.error(key, fmt::format("'{}' belongs to mode: impair", key));
          return std::nullopt;
        }
      }
      return o;
    }
    return read_impairment(m, o) ? std::optional<Step::Action>(o) : std::nullopt;
  }

  // mode: impair takes `loss: 20%` (or 20), `delay: 200ms`, `jitter: 50ms`; at least one of them.
  bool read_impairment(MapReader& m, OutageStep& o) {
    Impairment& imp = o.spec.impair;
    if (const auto loss = m.text("loss")) {
      std::string number = *loss;
      if (!number.empty() && number.back() == '%') number.pop_back();
      char* end = nullptr;
      const double value = std::strtod(number.c_str(), &end);
      if (number.empty() || end != number.c_str() + number.size() || value < 0 || value > 100) {
        m.error("loss", fmt::format("loss '{}' must be a percentage from 0 to 100, like 20%", *loss));
        return false;
      }
      imp.loss_percent = value;
    }
    if (const auto delay = m.duration("delay")) imp.delay = *delay;
    if (const auto jitter = m.duration("jitter")) imp.jitter = *jitter;
    if (!m.has("loss") && !m.has("delay")) {
      m.error("mode",
              "mode: impair needs 'loss' (like 20%) and/or 'delay' (like 200ms), with optional 'jitter'");
      return false;
    }
    if (imp.jitter > Duration{0} && imp.delay == Duration{0}) {
      m.error("jitter", "'jitter' varies the 'delay': give a delay too");
      return false;
    }
    return true;
  }

  std::optional<Step::Action> read_expect(MapReader& step, const Scenario& s) {
    MapReader m(step.node("expect"), file_, diags_, "expect");
    if (!m.valid()) return std::nullopt;
    ExpectStep e;
    std::optional<std::variant<Observation, CloudCall, VariableRead>> what;
    if (m.has("call")) {
      CloudCall c;
      c.function = m.text("call").value_or("");
      c.arg = m.text("arg").value_or("");
      if (auto r = m.integer("returns")) c.returns = *r;
      what = c;
    } else if (m.has("variable")) {
      VariableRead v;
      v.variable = m.text("variable").value_or("");
      v.equals = m.text("equals");
      what = v;
    } else if (auto o = read_observation(m, false)) {
      what = *o;
    }
    const auto within = read_limit(m, "within", s, true);
    const auto from = m.text("from");
    if (within && !from) {
      m.error("within",
              "this deadline has no reference mark: add 'from: <mark>' naming a mark set by an earlier "
              "step (or repeat_start / step_start)");
    }
    if (from) check_mark(*from, m.loc("from"), "'from'");
    m.finish();
    if (!what || !within || !from) return std::nullopt;
    e.what = *what;
    e.within = *within;
    e.from = *from;
    return e;
  }

  std::optional<Step::Action> read_sleep(MapReader& step, const Scenario& s) {
    MapReader m(step.node("sleep"), file_, diags_, "sleep");
    if (!m.valid()) return std::nullopt;
    SleepStep sl;
    const auto mode = m.choice("mode", {"stop", "ulp", "hibernate"}, true);
    const auto duration = m.duration("for", true);
    sl.function = m.text("function").value_or("sleep");
    const auto within = read_limit(m, "within", s, true);
    m.finish();
    if (!mode || !duration || !within) return std::nullopt;
    sl.mode = *mode;
    sl.duration = *duration;
    sl.within = *within;
    return sl;
  }

  std::optional<Step::Action> read_ota(MapReader& step, const Scenario& s) {
    MapReader m(step.node("ota"), file_, diags_, "ota");
    if (!m.valid()) return std::nullopt;
    OtaStep o;
    const auto firmware = m.text("firmware", true);
    const auto within = read_limit(m, "within", s, true);
    m.finish();
    if (!firmware || !within) return std::nullopt;
    std::filesystem::path path(*firmware);
    if (path.is_relative()) path = std::filesystem::path(file_).parent_path() / path;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      m.error("firmware",
              fmt::format("firmware file '{}' not found (looked for {})", *firmware, path.string()));
      return std::nullopt;
    }
    o.firmware = path;
    o.within = *within;
    return o;
  }

  void read_measurement(const YAML::Node& item, Scenario& s) {
    MapReader m(item, file_, diags_, "measurement");
    if (!m.valid()) return;
    Measurement meas;
    meas.loc = m.loc();
    const auto name = m.text("name", true);
    if (name && !is_identifier(*name)) {
      m.error("name", fmt::format("measurement name '{}' {}", *name, kIdentifierRule));
    }
    if (name && std::any_of(s.measurements.begin(), s.measurements.end(),
                            [&](const Measurement& x) { return x.name == *name; })) {
      m.error("name", fmt::format("measurement '{}' is defined twice", *name));
    }
    auto from = read_endpoint(m, "from");
    auto to = read_endpoint(m, "to");
    const auto unit = m.choice("unit", kUnits, true);
    bool ok = name && from && to && unit;
    const YAML::Node pass = m.node("pass");
    if (pass.IsDefined() && !pass.IsNull()) {
      if (!pass.IsMap()) {
        m.error("pass", "'pass' must map statistics to limits, e.g. {max: 3m, p75: 60s}");
        ok = false;
      } else {
        for (const auto& kv : pass) {
          Criterion c;
          c.statistic = kv.first.Scalar();
          c.loc = loc_of(kv.first, file_);
          if (std::find(kStatistics.begin(), kStatistics.end(), c.statistic) == kStatistics.end()) {
            diags_.error(
                c.loc, fmt::format("unknown statistic '{}'; use one of {}", c.statistic, join(kStatistics)));
            ok = false;
            continue;
          }
          auto limit = read_limit_value(kv.second, s, fmt::format("pass '{}'", c.statistic));
          if (!limit) {
            ok = false;
            continue;
          }
          c.limit = *limit;
          meas.pass.push_back(std::move(c));
        }
      }
    }
    m.finish();
    if (!ok) return;
    meas.name = *name;
    meas.from = std::move(*from);
    meas.to = std::move(*to);
    meas.unit = *unit;
    s.measurements.push_back(std::move(meas));
  }

  // `from: outage_end` (a mark) or `from: {event: cloud_connected}` (first occurrence in the repeat).
  std::optional<Observation> read_endpoint(MapReader& m, std::string_view key) {
    const YAML::Node node = m.node(key);
    if (!node.IsDefined() || node.IsNull()) {
      m.error("",
              fmt::format("measurement needs '{}': a mark or an observation such as {{led: breathing_cyan}}",
                          key));
      return std::nullopt;
    }
    if (node.IsScalar()) {
      Observation o;
      o.kind = Observation::Kind::mark;
      o.value = node.Scalar();
      o.loc = loc_of(node, file_);
      check_mark(o.value, o.loc, fmt::format("measurement '{}'", key));
      return o;
    }
    MapReader obs(node, file_, diags_, fmt::format("measurement '{}'", key));
    if (!obs.valid()) return std::nullopt;
    auto o = read_observation(obs, true);
    obs.finish();
    if (o && o->kind == Observation::Kind::mark)
      check_mark(o->value, o->loc, fmt::format("measurement '{}'", key));
    return o;
  }

  std::string file_;
  Diagnostics& diags_;
  std::set<std::string> marks_;
  std::set<std::string> later_marks_;
  std::set<std::string> user_events_;
  std::vector<std::pair<std::string, SourceLoc>> rack_events_;
  std::size_t rejected_steps_ = 0;

 public:
  std::vector<std::pair<std::string, SourceLoc>> take_rack_events() { return std::move(rack_events_); }

  // Marks set anywhere in the file, so a forward reference gets a precise message.
  void collect_marks(const YAML::Node& root) {
    const YAML::Node steps = root.IsMap() ? root["steps"] : YAML::Node();
    if (!steps.IsDefined() || !steps.IsSequence()) return;
    for (const YAML::Node& item : steps) {
      if (item.IsMap() && item["mark"].IsDefined() && item["mark"].IsScalar())
        later_marks_.insert(item["mark"].Scalar());
    }
  }
};

}  // namespace

std::optional<Scenario> parse_scenario(const std::string& text, const std::string& file, Diagnostics& diags,
                                       const Rack* rack) {
  const auto root = load_yaml_text(text, file, diags);
  if (!root) return std::nullopt;
  return read_scenario(*root, file, diags, rack);
}

std::optional<Scenario> read_scenario(const YAML::Node& root, const std::string& file, Diagnostics& diags,
                                      const Rack* rack) {
  const std::size_t before = diags.size();
  ScenarioReader reader(file, diags);
  reader.collect_marks(root);
  auto scenario = reader.read(root);
  if (scenario) {
    scenario->rack_events = reader.take_rack_events();
    if (rack != nullptr) check_rack_events(*scenario, *rack, diags);
  }
  if (diags.size() != before) return std::nullopt;
  return scenario;
}

std::optional<Scenario> load_scenario_file(const std::string& path, Diagnostics& diags, const Rack* rack) {
  const auto text = read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_scenario(*text, path, diags, rack);
}

}  // namespace cyanrig
