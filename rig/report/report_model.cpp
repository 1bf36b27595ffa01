#include "rig/report/report_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <vector>

namespace cyanrig {

// The model:
//   end        run length, ms
//   strings    every label once; the lists below refer to labels by index
//   devices    [{name, platform, segment, verdict}] in the run's order; lanes[i] is devices[i]'s
//   repeats    [[n, start, end], ...]
//   lanes[i]   power [dt, on], led [dt, label], cloud [dt, 0 offline | 1 online | 2 online but stale
//              (rig/engine/cloud_listing.hpp)], ticks [dt, label] (Device OS
//              events, serial link, cloud events, notes), calls [dt, ok, label], marks [dt, label],
//              steps [dt, label]: flat lists, each time in whole ms after the previous entry's time
//   steps      rack-wide steps (outage steps), [dt, label]
//   outages    [{segment, label, start, stop, effective: [device, t, ...], notes: [label, ...]}]
//   failures   [[device or -1, t or -1, label]] in summary.json's order (cases, then the run's)
//   gaps       [[start, end], ...]: stretches of repeats not drawn (more than kMaxDrawnRepeats);
//              the lanes skip their events and resume with the states they left

namespace {

using json = nlohmann::ordered_json;

// The cloud lane's values.
constexpr long long kCloudOffline = 0;
constexpr long long kCloudOnline = 1;
constexpr long long kCloudStale = 2;

// A long run draws at most this many repeats (every repeat with a failure, up to half of them, then
// the first ones, and the last): the page and the memory to build it stay those of a 100-repeat run,
// whatever the repeat count. events.jsonl keeps everything.
constexpr std::size_t kMaxDrawnRepeats = 100;

// Besides the lanes: devices, repeats, outages, failures and labels, and the page's script after it.
constexpr std::size_t kRoomAfterLanes = std::size_t{1} << 20;

long long whole_ms(RunTime t) {
  return std::llround(t.count());
}

class Strings {
 public:
  int operator()(const std::string& s) {
    const auto [it, added] = index_.try_emplace(s, static_cast<int>(all_.size()));
    if (added) all_.push_back(s);
    return it->second;
  }
  json to_json() const { return all_; }

 private:
  std::map<std::string, int> index_;
  std::vector<std::string> all_;
};

// A flat list of [dt, values...] entries whose times only move forward (an LED state named late
// begins when it began, which may be before the entry before it: it is clamped to that). Kept as
// the JSON text it becomes: a long run has millions of entries, and a JSON value per number would
// take four times the memory of the text.
class Track {
 public:
  void add(RunTime t, std::initializer_list<long long> values) {
    const long long ms = std::max(whole_ms(t), last_);
    append(ms - last_);
    last_ = ms;
    for (const long long v : values) append(v);
  }
  std::size_t size() const { return items_.size() + 2; }
  // Appends the list to `out` and lets go of it.
  void write_to(std::string& out) {
    out += '[';
    out += items_;
    out += ']';
    std::string().swap(items_);
  }

 private:
  void append(long long v) {
    if (!items_.empty()) items_ += ',';
    fmt::format_to(std::back_inserter(items_), "{}", v);
  }

  std::string items_;
  long long last_ = 0;
};

struct Lane {
  Track power, led, cloud, ticks, calls, marks, steps;

  // Every row with its name in the model, in the model's order.
  std::array<std::pair<const char*, Track*>, 7> rows() {
    return {{{"power", &power},
             {"led", &led},
             {"cloud", &cloud},
             {"ticks", &ticks},
             {"calls", &calls},
             {"marks", &marks},
             {"steps", &steps}}};
  }
};

// The rows that hold a state until the next entry (the others are points in time).
enum class StateRow { power, led, cloud };

struct StateChange {
  StateRow row;
  long long value;  // power on, an LED label, a cloud status
  RunTime began;
};

constexpr std::array kStateRows = {StateRow::power, StateRow::led, StateRow::cloud};

// The states a lane's events set while the page skipped them (by StateRow), for where drawing
// resumes.
using HeldStates = std::array<std::optional<long long>, kStateRows.size()>;

struct Outage {
  std::string segment;
  std::string label;
  long long start = 0;
  std::optional<long long> stop;
  std::vector<long long> effective;
  std::vector<int> notes;
};

std::string field_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return {};
}

// "reset_reason reason=power_down": the event's name and its few short fields, not the ones that
// change every time (device_ms) and would make every label unique.
std::string tick_label(const std::string& prefix, const RecordedEvent& e) {
  std::string label = prefix + e.name;
  int shown = 0;
  for (const auto& [key, value] : e.data.items()) {
    if (key == "device_ms" || key == "since_ms" || key == "published_at" || key == "id") continue;
    const std::string text = field_text(value);
    if (text.empty() || text.size() > 32 || shown == 3) continue;
    label += fmt::format(" {}={}", key, text);
    ++shown;
  }
  return label;
}

std::string led_label(const RecordedEvent& e) {
  std::string label = e.name;
  if (const auto c = e.data.find("color"); c != e.data.end() && c->is_string())
    label += " " + c->get<std::string>();
  if (const auto n = e.data.find("count"); n != e.data.end() && n->is_number()) label += " x" + n->dump();
  if (const auto code = e.data.find("code"); code != e.data.end() && code->is_number())
    label += " code " + code->dump();
  return label;
}

bool online(const RecordedEvent& e) {
  const auto status = e.data.find("status");
  return status != e.data.end() && status->is_string() && status->get<std::string>() == "online";
}

bool has_status(const RecordedEvent& e) {
  const auto status = e.data.find("status");
  return status != e.data.end() && status->is_string();
}

// `,"name":<value>`, with "<" written as \u003c so no text can close the <script> it goes in.
void append_field(std::string& out, std::string_view name, const json& value) {
  out += fmt::format(",\"{}\":", name);
  for (const char c : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
}

class ModelBuilder {
 public:
  ModelBuilder(const RecordedRun& run, const std::map<std::string, std::string>& segments) {
    for (const RecordedDevice& d : run.devices) {
      const auto known = segments.find(d.name);
      lane_of(d.name, d.platform, known != segments.end() ? known->second : d.segment, d.verdict);
    }
    end_ = RunTime(run.rig_seconds * 1000.0);
    choose_drawn_repeats(run);
  }

  void add(const RecordedEvent& e) {
    end_ = std::max(end_, e.t);
    if (e.kind == "run") return add_run(e);
    if (e.kind == "outage") return add_outage(e);
    if (gap_start_) return hold(e);
    if (e.kind == "step" && e.device.empty()) {
      if (e.name == "start") rack_steps_.add(e.t, {strings_(text_of(e, "step", "step"))});
      return;
    }
    if (e.device.empty()) return;
    Lane& lane = lane_of(e.device);
    if (const std::optional<StateChange> s = state_change(e)) {
      row_of(lane, s->row).add(s->began, {s->value});
      if (e.name == "listing_stale") lane.ticks.add(e.t, {strings_(tick_label("cloud ", e))});
    } else if (e.kind == "cloud" && e.name == "reply") {
      const auto error = e.data.find("error");
      const bool ok = error == e.data.end() || (error->is_string() && error->get<std::string>() == "none");
      lane.calls.add(e.t, {ok ? 1 : 0, strings_(tick_label("", e))});
    } else if (e.kind == "devos" || e.kind == "cloud" || e.kind == "serial_link" || e.kind == "note") {
      lane.ticks.add(e.t, {strings_(tick_label(e.kind == "devos" ? "" : e.kind + " ", e))});
    } else if (e.kind == "mark") {
      lane.marks.add(e.t, {strings_(e.name)});
    } else if (e.kind == "step" && e.name == "start") {
      lane.steps.add(e.t, {strings_(text_of(e, "step", "step"))});
    }
  }

  // Appends the model as JSON text, safe inside <script> (see append_swimlane_json()).
  void finish(const RecordedRun& run, std::string& out) {
    // The lanes are nearly all of it: room for them and what follows the model in the page at once,
    // rather than a string that doubles past them.
    std::size_t lane_bytes = 0;
    for (Lane& l : lanes_) {
      for (const auto& [name, track] : l.rows()) lane_bytes += track->size() + 16;
    }
    out.reserve(out.size() + lane_bytes + kRoomAfterLanes);
    out += fmt::format("{{\"end\":{}", whole_ms(end_));
    json devices = json::array();
    for (std::size_t i = 0; i < names_.size(); ++i) {
      devices.push_back({{"name", names_[i]},
                         {"platform", platforms_[i]},
                         {"segment", segments_[i]},
                         {"verdict", verdicts_[i]}});
    }
    append_field(out, "devices", devices);
    json repeats = json::array();
    if (repeats_.empty()) derive_repeats(run);
    for (const auto& [n, span] : repeats_)
      repeats.push_back({n, whole_ms(span.first), whole_ms(span.second.value_or(end_))});
    append_field(out, "repeats", repeats);
    out += ",\"lanes\":[";
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      out += i == 0 ? "{" : ",{";
      const char* separator = "";
      for (const auto& [name, track] : lanes_[i].rows()) {
        out += fmt::format("{}\"{}\":", separator, name);
        track->write_to(out);
        separator = ",";
      }
      out += '}';
    }
    out += "],\"steps\":";
    rack_steps_.write_to(out);
    if (gap_start_) gaps_.push_back({whole_ms(*gap_start_), whole_ms(end_)});
    append_field(out, "gaps", gaps_);
    json outages = json::array();
    for (const Outage& o : outages_) {
      outages.push_back({{"segment", o.segment},
                         {"label", o.label},
                         {"start", o.start},
                         {"stop", o.stop ? json(*o.stop) : json(whole_ms(end_))},
                         {"effective", o.effective},
                         {"notes", o.notes}});
    }
    json failures = json::array();
    for (const RecordedFailure& f : run.all_failures()) {
      failures.push_back({f.device.empty() ? -1 : device_index(f.device), f.t ? whole_ms(*f.t) : -1,
                          strings_(fmt::format("{} ({}/{})", f.message, f.cls, f.kind))});
    }
    append_field(out, "outages", outages);
    append_field(out, "failures", failures);
    append_field(out, "strings", strings_.to_json());  // last: every list above has added its labels
    out += '}';
  }

 private:
  // Every repeat when there are few enough; otherwise those with a failure (up to half), then the
  // first ones, and the last.
  void choose_drawn_repeats(const RecordedRun& run) {
    if (run.repeats <= static_cast<int>(kMaxDrawnRepeats)) return;
    std::set<int> drawn;
    for (const RecordedCase& c : run.cases) {
      if (!c.failures.empty() && drawn.size() < kMaxDrawnRepeats / 2) drawn.insert(c.repeat);
    }
    for (int n = 1; n <= run.repeats && drawn.size() < kMaxDrawnRepeats - 1; ++n) drawn.insert(n);
    drawn.insert(run.repeats);
    drawn_ = std::move(drawn);
  }

  bool drawn(int repeat) const { return !drawn_ || drawn_->count(repeat) != 0; }

  // Where a repeat begins, drawing stops or resumes; resuming, each lane first shows the states its
  // skipped events left.
  void at_repeat_start(int repeat, RunTime t) {
    if (!drawn(repeat)) {
      if (!gap_start_) gap_start_ = t;
      return;
    }
    if (!gap_start_) return;
    gaps_.push_back({whole_ms(*gap_start_), whole_ms(t)});
    gap_start_.reset();
    for (std::size_t i = 0; i < lanes_.size() && i < held_.size(); ++i) {
      for (const StateRow row : kStateRows) {
        std::optional<long long>& value = held_[i][static_cast<std::size_t>(row)];
        if (value) row_of(lanes_[i], row).add(t, {*value});
        value.reset();
      }
    }
  }

  // An event inside repeats the page does not draw: only the state it leaves counts.
  void hold(const RecordedEvent& e) {
    if (e.device.empty()) return;
    const std::optional<StateChange> s = state_change(e);
    if (!s) return;
    lane_of(e.device);
    held_.resize(lanes_.size());
    held_[static_cast<std::size_t>(device_index(e.device))][static_cast<std::size_t>(s->row)] = s->value;
  }

  // The state an event sets, for the rows that hold one.
  std::optional<StateChange> state_change(const RecordedEvent& e) {
    if (e.kind == "power" && (e.name == "on" || e.name == "off"))
      return StateChange{StateRow::power, e.name == "on" ? 1 : 0, e.t};
    if (e.kind == "led") {
      const auto since = e.data.find("since_ms");
      const RunTime began = since != e.data.end() && since->is_number() ? RunTime(since->get<double>()) : e.t;
      return StateChange{StateRow::led, strings_(led_label(e)), began};
    }
    if (e.kind == "cloud" && (e.name == "spark/status" || e.name == "device_info") && has_status(e))
      return StateChange{StateRow::cloud, online(e) ? kCloudOnline : kCloudOffline, e.t};
    if (e.kind == "cloud" && e.name == "listing_stale") return StateChange{StateRow::cloud, kCloudStale, e.t};
    return std::nullopt;
  }

  static Track& row_of(Lane& lane, StateRow row) {
    switch (row) {
      case StateRow::power:
        return lane.power;
      case StateRow::led:
        return lane.led;
      case StateRow::cloud:
        return lane.cloud;
    }
    return lane.power;
  }

  static std::string text_of(const RecordedEvent& e, const char* key, const std::string& otherwise) {
    const auto it = e.data.find(key);
    return it != e.data.end() && it->is_string() ? it->get<std::string>() : otherwise;
  }

  Lane& lane_of(const std::string& device, const std::string& platform = {}, const std::string& segment = {},
                const std::string& verdict = {}) {
    const int i = device_index(device);
    if (i >= 0) return lanes_[static_cast<std::size_t>(i)];
    names_.push_back(device);
    platforms_.push_back(platform);
    segments_.push_back(segment);
    verdicts_.push_back(verdict);
    lanes_.emplace_back();
    return lanes_.back();
  }

  int device_index(const std::string& device) const {
    const auto it = std::find(names_.begin(), names_.end(), device);
    return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
  }

  void add_run(const RecordedEvent& e) {
    const auto repeat = e.data.find("repeat");
    if (repeat == e.data.end() || !repeat->is_number_integer()) return;
    const int n = repeat->get<int>();
    if (e.name == "repeat_start") {
      repeats_[n] = {e.t, std::nullopt};
      at_repeat_start(n, e.t);
    }
    if (e.name == "repeat_end" && repeats_.contains(n)) repeats_[n].second = e.t;
  }

  void add_outage(const RecordedEvent& e) {
    const std::string segment = text_of(e, "segment", "");
    if (e.name == "start") {
      outages_.push_back({.segment = segment,
                          .label = text_of(e, "outage", text_of(e, "mode", "outage")),
                          .start = whole_ms(e.t)});
      return;
    }
    const auto last_open = std::find_if(outages_.rbegin(), outages_.rend(),
                                        [&](const Outage& o) { return o.segment == segment && !o.stop; });
    if (last_open == outages_.rend()) return;
    Outage* open = &*last_open;
    if (e.name == "stop") {
      open->stop = whole_ms(e.t);
    } else if (e.name == "effective" && !e.device.empty()) {
      lane_of(e.device);
      const int i = device_index(e.device);
      open->effective.push_back(i);
      open->effective.push_back(whole_ms(e.t));
      if (segments_[static_cast<std::size_t>(i)].empty()) segments_[static_cast<std::size_t>(i)] = segment;
    } else {
      open->notes.push_back(strings_(fmt::format("{} at {:.1f} s: {}", e.name, e.t.count() / 1000.0,
                                                 text_of(e, "message", text_of(e, "evidence", "")))));
    }
  }

  // Older folders without repeat events: each repeat spans its cases.
  void derive_repeats(const RecordedRun& run) {
    for (const RecordedCase& c : run.cases) {
      auto [it, added] = repeats_.try_emplace(c.repeat, c.started, c.ended);
      if (!added) {
        it->second.first = std::min(it->second.first, c.started);
        it->second.second = std::max(it->second.second.value_or(c.ended), c.ended);
      }
    }
  }

  Strings strings_;
  std::vector<std::string> names_, platforms_, segments_, verdicts_;
  std::vector<Lane> lanes_;
  Track rack_steps_;
  std::map<int, std::pair<RunTime, std::optional<RunTime>>> repeats_;
  std::vector<Outage> outages_;
  RunTime end_{};
  std::optional<std::set<int>> drawn_;  // empty: every repeat
  std::optional<RunTime> gap_start_;    // inside repeats not drawn since then
  std::vector<std::pair<long long, long long>> gaps_;
  std::vector<HeldStates> held_;  // by lane
};

}  // namespace

void append_swimlane_json(std::string& out, const RecordedRun& run,
                          const std::map<std::string, std::string>& segments, Diagnostics& diags) {
  ModelBuilder builder(run, segments);
  for_each_recorded_event(
      run.dir, [&](const RecordedEvent& e) { builder.add(e); }, diags);
  builder.finish(run, out);
}

}  // namespace cyanrig
