#include "cli/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"
#include "rig/results/writers.hpp"

namespace cyanrig {

Progress::Style Progress::style_for(std::FILE* out) {
  return isatty(fileno(out)) != 0 ? Style::live : Style::plain;
}

void Progress::attach(Timeline& timeline, const Scenario& scenario) {
  (void)scenario;
  if (style_ == Style::quiet) return;
  timeline.subscribe([this](const Event& e) {
    if (style_ == Style::quiet) return;
    try {
      on_event(e);
    } catch (const std::exception&) {
      // stdout went away (a closed pipe, a full disk): the run goes on, unseen.
      style_ = Style::quiet;
    }
  });
}

void Progress::on_event(const Event& e) {
  last_event_ = e.t;
  const std::string when = clock_text(e.t);
  if (!e.device.empty() && !rows_.contains(e.device)) {
    rows_[e.device] = {};
    order_.push_back(e.device);
  }
  Row* row = e.device.empty() ? nullptr : &rows_[e.device];
  switch (e.kind) {
    case EventKind::run:
      if (e.name == ev::run::kRepeatStart) {
        for (auto& [_, r] : rows_) r.repeat = e.data["repeat"].get<int>();
        if (style_ == Style::plain)
          fmt::print(out_, "[{}] repeat {} starts\n", when, e.data["repeat"].get<int>());
      }
      break;
    case EventKind::step:
      if (e.name == ev::step::kStart) {
        const std::string label = e.data["step"].get<std::string>();
        if (row != nullptr) row->step = label;
        if (style_ == Style::plain)
          fmt::print(out_, "[{}] {:<10} {}\n", when, e.device.empty() ? "rack" : e.device, label);
      }
      break;
    case EventKind::led:
      if (row != nullptr) row->led = e.name;
      break;
    case EventKind::failure:
      if (row != nullptr) row->verdict = "FAIL";
      if (style_ == Style::plain || style_ == Style::live) {
        if (style_ == Style::live) redraw(true);
        fmt::print(out_, "[{}] {:<10} FAIL ({}): {}\n", when, e.device.empty() ? "rack" : e.device,
                   e.data.value("class", ""), e.data.value("message", ""));
        drawn_lines_ = 0;
      }
      break;
    case EventKind::outage:
      if (style_ == Style::plain) {
        const std::string segment = e.data.value("segment", "");
        std::string what = e.data.value("outage", "");
        if (e.name == ev::outage::kEffective)
          what = fmt::format("{}: {}", e.device.empty() ? "whole segment" : e.device,
                             e.data.value("evidence", ""));
        if (e.data.contains("message")) what = e.data.value("message", "");
        fmt::print(out_, "[{}] {:<10} outage {} {}{}\n", when, segment, e.name, what.empty() ? "" : " ",
                   what);
      }
      break;
    case EventKind::mark:
      if (e.name == ev::run::kRepeatStart && row != nullptr) {
        row->verdict.clear();
        row->repeat = e.data.value("repeat", row->repeat);
      }
      break;
    default:
      break;
  }
  if (style_ == Style::live) redraw(false);
  // Plain lines go to CI logs and pipes: a real-time lab run must show them as they happen.
  if (style_ == Style::plain) std::fflush(out_);
}

void Progress::redraw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  std::string text;
  if (drawn_lines_ > 0) text += fmt::format("\x1b[{}F", drawn_lines_);  // back to the table's first line
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const std::string rig_time = clock_text(last_event_);
  text += fmt::format("\x1b[2K{:<10} {:>6} {:<44} {:<22} rig {}  wall {:.1f}s\n", "device", "repeat", "step",
                      "LED", rig_time, elapsed);
  for (const std::string& name : order_) {
    const Row& r = rows_[name];
    std::string step = r.step.size() > 44 ? r.step.substr(0, 43) + "…" : r.step;
    text += fmt::format("\x1b[2K{:<10} {:>6} {:<44} {:<22} {}\n", name, r.repeat, step, r.led, r.verdict);
  }
  drawn_lines_ = order_.size() + 1;
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

void Progress::finish() {
  if (style_ == Style::live) redraw(true);
}

namespace {

std::string stats_text(const RunResult& result, const std::string& device, const std::string& measurement) {
  std::vector<double> values;
  std::size_t missing = 0;
  for (const MeasurementSample& s : result.samples) {
    if (s.name != measurement || s.device != device) continue;
    if (s.value) {
      values.push_back(*s.value);
    } else {
      ++missing;
    }
  }
  if (values.empty() && missing == 0) return "-";
  // A repeat that never got there is above every value: a statistic that falls on one shows ">".
  std::string text;
  for (const char* statistic : {"p50", "p75", "max"}) {
    const auto value = censored_statistic(values, missing, statistic);
    text += (text.empty() ? "" : "/") + (value ? fmt::format("{:.1f}", *value) : std::string(">"));
  }
  if (missing > 0) text += fmt::format(" ({} missing)", missing);
  return text;
}

}  // namespace

void print_verdict(std::FILE* out, const RunResult& result, const std::string& results_dir) {
  std::vector<std::string> measurements;
  std::map<std::string, std::string> units;
  for (const MeasurementSample& s : result.samples) {
    if (std::find(measurements.begin(), measurements.end(), s.name) == measurements.end()) {
      measurements.push_back(s.name);
      units[s.name] = s.unit;
    }
  }
  fmt::print(out, "\nscenario {} on rack {} ({}, seed {}): {} repeat{}, {:.1f} {} s in {:.2f} s wall\n",
             result.scenario, result.rack, result.simulated ? "simulated" : "hardware", result.seed,
             result.repeats, result.repeats == 1 ? "" : "s", result.rig_seconds,
             result.simulated ? "simulated" : "rig", result.wall_seconds);
  std::string header = fmt::format("{:<10} {:<9} {:>7}", "device", "platform", "passed");
  for (const auto& m : measurements)
    header += fmt::format("  {:>26}", fmt::format("{} p50/p75/max ({})", m, units[m]));
  header += "  verdict";
  fmt::print(out, "{}\n", header);
  for (const DeviceSummary& d : result.devices) {
    int passed = 0;
    int total = 0;
    for (const CaseResult& c : result.cases) {
      if (c.device != d.name || !c.skipped.empty()) continue;
      ++total;
      if (c.passed()) ++passed;
    }
    std::string line =
        fmt::format("{:<10} {:<9} {:>7}", d.name, d.platform, fmt::format("{}/{}", passed, total));
    for (const auto& m : measurements) line += fmt::format("  {:>26}", stats_text(result, d.name, m));
    line += d.passed ? "  PASS" : fmt::format("  FAIL ({})", to_string(*d.failure_class));
    fmt::print(out, "{}\n", line);
  }
  bool first = true;
  for (const CaseResult& c : result.cases) {
    for (const Failure& f : c.failures) {
      if (first) fmt::print(out, "\nfailures:\n");
      first = false;
      fmt::print(out, "  {} repeat {} [{}/{}] {}\n", c.device, c.repeat, to_string(f.cls), f.kind, f.message);
    }
  }
  for (const CriterionResult& c : result.criteria) {
    if (c.passed) continue;
    if (first) fmt::print(out, "\nfailures:\n");
    first = false;
    fmt::print(out, "  {} {} {} = {} {}, limit {} {}{}\n", c.scope, c.measurement, c.statistic,
               c.count == 0 ? std::string("no samples") : actual_text(c), c.unit, c.limit, c.unit,
               c.failure_class && *c.failure_class != FailureClass::device
                   ? fmt::format(" [{}: inconclusive]", to_string(*c.failure_class))
                   : std::string());
  }
  for (const Failure& f : result.run_failures) {
    if (first) fmt::print(out, "\nfailures:\n");
    first = false;
    fmt::print(out, "  rack [{}/{}] {}\n", to_string(f.cls), f.kind, f.message);
  }
  const auto worst = result.worst_class();
  fmt::print(out, "\noverall: {} (exit {})\n",
             worst ? fmt::format("FAIL ({})", to_string(*worst)) : std::string("PASS"),
             static_cast<int>(result.exit_code()));
  if (!results_dir.empty()) fmt::print(out, "results: {}\n", results_dir);
}

}  // namespace cyanrig
