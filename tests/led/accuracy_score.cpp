#include "tests/led/accuracy_score.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "rig/led/led_decoder.hpp"

namespace cyanrig::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

// ------------------------------------------------------------------------------------------------
// Decoding.

std::vector<Report> decode_with_emission_times(const std::vector<RgbSample>& samples,
                                               const LedDecoderOptions& options) {
  LedDecoder decoder(options);
  std::vector<Report> reports;
  for (const RgbSample& s : samples) {
    for (LedStateChange& c : decoder.feed(std::span(&s, 1))) reports.push_back({std::move(c), s.t});
  }
  const Instant last = samples.empty() ? run_start() : samples.back().t;
  for (LedStateChange& c : decoder.finish()) reports.push_back({std::move(c), last});
  return reports;
}

double decoding_speed(const std::vector<Trace>& traces, double rate_hz, int rounds) {
  const auto batch = static_cast<std::size_t>(rate_hz / 5);
  std::size_t samples = 0;
  for (const Trace& t : traces) samples += t.samples.size();
  double best = 0;
  for (int round = 0; round < rounds; ++round) {
    std::size_t states = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const Trace& t : traces) {
      LedDecoder decoder(t.options);
      const std::span<const RgbSample> all(t.samples);
      for (std::size_t i = 0; i < all.size(); i += batch) {
        states += decoder.feed(all.subspan(i, std::min(batch, all.size() - i))).size();
      }
      states += decoder.finish().size();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (states > 0) best = std::max(best, static_cast<double>(samples) / s);
  }
  return best;
}

// ------------------------------------------------------------------------------------------------
// Scoring.

namespace {

Duration abs_duration(Duration d) {
  return d < Duration{0} ? -d : d;
}

// The state the decoder said the LED showed at each moment (from each state's start to the next's).
class ReportedTimeline {
 public:
  explicit ReportedTimeline(const std::vector<Report>& reports) : reports_(reports) {}
  // The report in force at `t` (null before the first); `t` must not go backwards between calls.
  const Report* at(Instant t) {
    while (next_ < reports_.size() && reports_[next_].change.start <= t) ++next_;
    return next_ == 0 ? nullptr : &reports_[next_ - 1];
  }
  // When the state in force at `t` gives way to the next (or `end`).
  Instant next_change(Instant end) const {
    return next_ < reports_.size() ? std::min(end, reports_[next_].change.start) : end;
  }

 private:
  const std::vector<Report>& reports_;
  std::size_t next_ = 0;
};

// The recognition windows: [start, shows + allowance) of every stretch, merged.
std::vector<std::pair<Instant, Instant>> recognition_windows(const Trace& trace) {
  std::vector<std::pair<Instant, Instant>> windows;
  for (const Stretch& s : trace.stretches) {
    const Instant until = std::min(trace.end, s.shows + s.allowance);
    if (!windows.empty() && s.start <= windows.back().second) {
      windows.back().second = std::max(windows.back().second, until);
    } else {
      windows.emplace_back(s.start, until);
    }
  }
  return windows;
}

// Time labelled correctly, over elementary intervals between every truth, report and window boundary.
void score_time(const Trace& trace, const std::vector<Report>& reports, Score& score) {
  const std::vector<std::pair<Instant, Instant>> windows = recognition_windows(trace);
  ReportedTimeline reported(reports);
  std::size_t stretch = 0, window = 0;
  Instant t = trace.stretches.front().start;
  while (t < trace.end) {
    while (stretch + 1 < trace.stretches.size() && trace.stretches[stretch + 1].start <= t) ++stretch;
    while (window < windows.size() && windows[window].second <= t) ++window;
    const Report* r = reported.at(t);
    const bool in_window = window < windows.size() && windows[window].first <= t;
    Instant until = reported.next_change(trace.end);
    if (stretch + 1 < trace.stretches.size()) until = std::min(until, trace.stretches[stretch + 1].start);
    if (window < windows.size())
      until = std::min(until, in_window ? windows[window].second : windows[window].first);
    const Duration d = until - t;
    const bool correct = r != nullptr && label_of(r->change) == trace.stretches[stretch].label;
    score.total += d;
    if (correct) score.total_correct += d;
    if (!in_window) {
      score.judged += d;
      if (correct) score.judged_correct += d;
      if (!correct) score.wrong_by_state[trace.stretches[stretch].label.state] += d;
    }
    t = until;
  }
}

// The first report of the stretch's state emitted while it showed or within its allowance after
// it began; SOS and cloud errors: the first report of that kind, whose code or count is then checked.
const Report* report_for(const Stretch& s, const std::vector<Report>& reports) {
  const Instant latest = std::max(s.end, s.shows + s.allowance);
  const bool kind_only = s.kind == PatternClass::sos || s.kind == PatternClass::cloud_error;
  for (const Report& r : reports) {
    if (r.emitted < s.start || r.emitted > latest) continue;
    if (kind_only ? r.change.state == s.label.state : label_of(r.change) == s.label) return &r;
  }
  return nullptr;
}

std::string context(const Trace& trace, const std::vector<Report>& reports, const Stretch& s) {
  std::string text;
  for (const Report& r : reports) {
    if (r.emitted < s.start - seconds(3) || r.change.start > s.end + seconds(3)) continue;
    text += fmt::format(" {}{}@{:.0f}/{:.0f}", describe(label_of(r.change)),
                        r.change.state == "unknown" && r.change.period
                            ? fmt::format("(period {:.0f})", to_ms(*r.change.period))
                            : "",
                        ms_since_start(r.change.start), ms_since_start(r.emitted));
  }
  const std::string shows =
      s.shows > s.start ? fmt::format(", first shows at {:.0f} ms", ms_since_start(s.shows)) : "";
  return fmt::format("{}: {} at {:.0f} ms ({:.0f} ms long{}): decoder said{}", trace.name, describe(s.label),
                     ms_since_start(s.start), to_ms(s.end - s.start), shows, text);
}

void score_stretches(const Trace& trace, const std::vector<Report>& reports, Score& score) {
  for (std::size_t i = 0; i < trace.stretches.size(); ++i) {
    const Stretch& s = trace.stretches[i];
    ClassScore& c = score.classes[s.kind];
    ++c.stretches;
    const Report* r = report_for(s, reports);
    const bool exact = r != nullptr && label_of(r->change) == s.label;
    if (s.kind == PatternClass::sos) {
      ++score.sos;
      score.sos_exact += exact ? 1 : 0;
    }
    if (s.kind == PatternClass::cloud_error) {
      ++score.flashes;
      score.flashes_exact += exact ? 1 : 0;
    }
    if (r == nullptr) {
      ++c.missed;
      ++c.late;
      score.problems.push_back("missed " + context(trace, reports, s));
      continue;
    }
    const Duration latency = r->emitted - s.shows;
    c.worst_emitted = std::max(c.worst_emitted, latency);
    c.worst_recognised = std::max(c.worst_recognised, r->change.recognised - s.shows);
    c.worst_start_error = std::max(c.worst_start_error, abs_duration(r->change.start - s.start));
    if (latency > s.allowance) {
      ++c.late;
      score.problems.push_back(
          fmt::format("late ({:.0f} ms) {}", to_ms(latency), context(trace, reports, s)));
    }
    if (!exact) score.problems.push_back("inexact " + context(trace, reports, s));
  }
}

// Reports naming a state the script did not show around their start (within kWrongReach, for
// edges dated a sample early) nor when they were emitted: names that were simply wrong, such as
// `unknown` for a default signal.
constexpr Duration kWrongReach = milliseconds(200);

void score_reports(const Trace& trace, const std::vector<Report>& reports, Score& score) {
  auto shown_between = [&](const Label& l, Instant from, Instant to) {
    return std::any_of(trace.stretches.begin(), trace.stretches.end(),
                       [&](const Stretch& s) { return s.label == l && s.start <= to && s.end >= from; });
  };
  for (const Report& r : reports) {
    ++score.reports;
    const Label l = label_of(r.change);
    if (shown_between(l, r.change.start - kWrongReach, r.change.start + kWrongReach) ||
        shown_between(l, r.emitted, r.emitted)) {
      continue;
    }
    ++score.wrong_reports;
    score.problems.push_back(fmt::format("wrong report {} @{:.0f}/{:.0f} in {}", describe(l),
                                         ms_since_start(r.change.start), ms_since_start(r.emitted),
                                         trace.name));
  }
}

}  // namespace

Score score_trace(const Trace& trace) {
  const std::vector<Report> reports = decode_with_emission_times(trace.samples, trace.options);
  Score score;
  score.samples = trace.samples.size();
  score_time(trace, reports, score);
  score_stretches(trace, reports, score);
  score_reports(trace, reports, score);
  return score;
}

}  // namespace cyanrig::test
