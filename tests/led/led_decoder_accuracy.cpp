// How well the LED decoder reads a long, realistic LED trace (issue 4's benchmark targets):
// generated scripts visit every default signal, `off`, SOS with codes 1-20 and cloud-error flashes
// inside blinking cyan in random order, read at 50, 100 and 200 Hz through a sensor model with
// brightness 0.2-1.0, ambient light, noise, jitter and 1% lost samples. Scored against the script:
//   - share of time labelled correctly (>= 99%), outside each transition's recognition window;
//   - each stretch reported within its allowance (1.5 periods of the new pattern), by when feed()
//     returned it, counted from when the pattern first shows (a blink that begins under light of
//     its own colour shows nothing new before its first edge);
//   - SOS codes and cloud-error flash colours and counts exact;
//   - decoding speed >= 1 million samples per second on one core.
// Exits 1 when a target is missed. `--quick` runs one short trace per rate and leaves out the
// speed target (a fixed-seed check for ctest once every target is met); `--show` prints one
// trace's script and states over a window. See docs/benchmarks.md, "LED decoder accuracy".
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// ------------------------------------------------------------------------------------------------
// What the script showed.

// The groups latencies are reported by, each with its allowance.
enum class PatternClass { off, solid, blink_slow, blink_normal, blink_fast, breathing, sos, cloud_error };
constexpr std::array<PatternClass, 8> kClasses{
    PatternClass::off,        PatternClass::solid,     PatternClass::blink_slow, PatternClass::blink_normal,
    PatternClass::blink_fast, PatternClass::breathing, PatternClass::sos,        PatternClass::cloud_error};

std::string_view class_name(PatternClass c) {
  switch (c) {
    case PatternClass::off:
      return "off";
    case PatternClass::solid:
      return "solid_gray";
    case PatternClass::blink_slow:
      return "blink 2 Hz";
    case PatternClass::blink_normal:
      return "blink 5 Hz";
    case PatternClass::blink_fast:
      return "blink 10 Hz";
    case PatternClass::breathing:
      return "breathing 4 s";
    case PatternClass::sos:
      return "sos";
    case PatternClass::cloud_error:
      return "cloud_error";
  }
  return "?";
}

// The state a stretch should be read as: canonical name plus what sos and cloud_error carry.
struct Label {
  std::string state;
  std::optional<int> code;
  std::optional<std::string> colour;
  std::optional<int> count;

  bool operator==(const Label&) const = default;
};

Label label_of(const LedStateChange& s) {
  return {s.state, s.code, s.colour, s.count};
}

std::string describe(const Label& l) {
  std::string text = l.state;
  if (l.code) text += fmt::format("({})", *l.code);
  if (l.colour) text += fmt::format("({} x{})", *l.colour, l.count.value_or(0));
  return text;
}

struct Stretch {
  Label label;
  PatternClass kind;
  Instant start;  // when the LED began to show it (for `off`: when it went dark)
  Instant end;
  // How long after `shows` the decoder may take to name it: 1.5 periods of the new pattern.
  Duration allowance;
  // When it first shows: `start`, except for a pattern that begins under light of its own colour
  // (blinking cyan turning fast while lit), which shows nothing new until its first edge (the fall
  // half a period later). No decoder can tell it earlier, so its allowance counts from there.
  Instant shows;
};

struct Trace {
  std::string name;
  std::vector<Stretch> stretches;
  std::vector<RgbSample> samples;
  Instant end;
};

// Allowances. Blinks and breaths: 1.5 periods. An SOS's code and a burst's count are only known
// when they end, so their "period" is a whole play (panic.c) or burst. `off` and solid light have
// no period: dark is only `off` once it outlasts the dark inside every default pattern (SOS's 1.1 s
// after the code, a 4 s breath's dim trough), steady light only solid once it outlasts every lit
// phase (a breath's bright crest); the allowances are 2 s and 1.5 s.
constexpr Duration kOffAllowance = seconds(2);
constexpr Duration kSolidAllowance = milliseconds(1500);

Duration one_and_a_half(Duration period) {
  return period * 3 / 2;
}

PatternClass class_of(const DefaultLedSignal& s) {
  switch (s.pattern) {
    case LedPattern::dark:
      return PatternClass::off;
    case LedPattern::solid:
      return PatternClass::solid;
    case LedPattern::breathe:
      return PatternClass::breathing;
    case LedPattern::blink:
      break;
  }
  if (s.period == led_periods::kBlinkSlow) return PatternClass::blink_slow;
  return s.period == led_periods::kBlinkFast ? PatternClass::blink_fast : PatternClass::blink_normal;
}

// ------------------------------------------------------------------------------------------------
// Generated scripts.

struct TraceSpec {
  double rate_hz = 50;
  std::uint64_t seed = 1;
  float brightness = 1;
  int stretches = 100;  // roughly: a cloud-error episode adds two or three
};

// Builds a script in random order with no state twice in a row.
class ScriptWriter {
 public:
  explicit ScriptWriter(std::uint64_t seed) : random_(seed) {}

  void add_random() {
    // Every default signal (off among them), an SOS, or a cloud-error episode, equally likely.
    const std::size_t signals = kDefaultLedSignals.size();
    std::uniform_int_distribution<std::size_t> pick(0, signals + 1);
    for (;;) {
      const std::size_t choice = pick(random_);
      if (choice < signals) {
        const DefaultLedSignal& s = kDefaultLedSignals[choice];
        if (!last_ || last_->state != s.state) return add_default(s);
      } else if (choice == signals) {
        if (!last_ || last_->state != "sos") return add_sos();
      } else if (!last_ || last_->state != "blinking_cyan") {
        return add_cloud_error_episode();
      }
    }
  }

  void add_default(const DefaultLedSignal& s, std::optional<Duration> length = std::nullopt) {
    const PatternClass kind = class_of(s);
    const Duration shown = length ? *length : random_length(kind, s.period);
    const Duration allowance = kind == PatternClass::off     ? kOffAllowance
                               : kind == PatternClass::solid ? kSolidAllowance
                                                             : one_and_a_half(s.period);
    add(shown, s.state == "off" ? sim::LedSignal::off() : sim::LedSignal::named(s.state),
        {std::string(s.state)}, kind, allowance);
  }

  // One or two plays (the device resets after two) of a code from 1 to 20 (Device OS uses 1-15;
  // longer codes must not turn into a custom red blink).
  void add_sos() {
    const int code = std::uniform_int_distribution<int>(1, 20)(random_);
    const int plays = std::uniform_int_distribution<int>(1, 2)(random_);
    const Duration play = sim::sos_play_length(code);
    add(plays * play, sim::LedSignal::sos(code), {"sos", code}, PatternClass::sos, one_and_a_half(play));
  }

  // Blinking (or fast blinking) cyan, 1-3 flashes of one colour, blinking cyan again.
  void add_cloud_error_episode() {
    struct Flashes {
      std::string_view colour;
      int count;
    };
    static constexpr std::array<Flashes, 5> kFlashes{
        {{"red", 1}, {"magenta", 1}, {"orange", 1}, {"orange", 2}, {"orange", 3}}};
    const Flashes f = kFlashes[std::uniform_int_distribution<std::size_t>(0, kFlashes.size() - 1)(random_)];
    const bool fast = std::uniform_int_distribution<int>(0, 1)(random_) == 1;
    const DefaultLedSignal& before = *find_default_led_signal(fast ? "fast_blinking_cyan" : "blinking_cyan");
    if (!last_ || last_->state != before.state) add_default(before);
    const Duration burst = sim::flashes_length(f.count);
    add(burst, sim::LedSignal::flashes(find_led_colour(f.colour)->rgb, f.count),
        {"cloud_error", std::nullopt, std::string(f.colour), f.count}, PatternClass::cloud_error,
        one_and_a_half(burst));
    add_default(*find_default_led_signal("blinking_cyan"));
  }

  // The script with every stretch's true start and end.
  Trace finish(const SensorModel& sensor, std::string name) {
    Trace trace{std::move(name), std::move(stretches_), script_.sample(sensor), script_.end()};
    for (std::size_t i = 0; i < trace.stretches.size(); ++i) {
      Stretch& s = trace.stretches[i];
      // Dark begins where the last pattern's light ended, which may be inside its own last period.
      if (s.label.state == "off" && i > 0) s.start = script_.went_dark(s.start);
      s.shows = s.label.state == "off" ? s.start : script_.first_change(s.start, s.allowance);
      if (i > 0) trace.stretches[i - 1].end = s.start;
    }
    return trace;
  }

 private:
  void add(Duration length, const sim::LedSignal& signal, Label label, PatternClass kind,
           Duration allowance) {
    const Instant start = script_.end();
    script_.show(length, signal);
    stretches_.push_back({label, kind, start, start + length, allowance, start});
    last_ = std::move(label);
  }

  // Several periods of the pattern, and longer than its allowance so that it is also judged on
  // how it holds afterwards.
  Duration random_length(PatternClass kind, Duration period) {
    auto between = [&](Duration lo, Duration hi) {
      return Duration{std::uniform_int_distribution<Duration::rep>(lo.count(), hi.count())(random_)};
    };
    switch (kind) {
      case PatternClass::off:
      case PatternClass::solid:
        return between(milliseconds(2500), seconds(6));
      case PatternClass::breathing:
        return between(2 * period, 5 * period);
      default:
        return between(std::max<Duration>(seconds(1), 6 * period), seconds(6));
    }
  }

  std::mt19937_64 random_;
  LedScript script_;
  std::vector<Stretch> stretches_;
  std::optional<Label> last_;
};

Trace generate(const TraceSpec& spec) {
  ScriptWriter writer(spec.seed);
  // Traces start dark, as a rig's do (the device is powered up by the scenario).
  writer.add_default(*find_default_led_signal("off"), seconds(2));
  for (int i = 1; i < spec.stretches; ++i) writer.add_random();

  std::mt19937_64 random(spec.seed ^ 0x5eed5eedU);
  std::uniform_real_distribution<float> uniform(0.0F, 1.0F);
  SensorModel sensor;
  sensor.rate_hz = spec.rate_hz;
  sensor.full = spec.brightness;
  sensor.ambient = 0.1F * uniform(random);
  sensor.noise = 0.01F + 0.02F * uniform(random);
  sensor.jitter = 0.1;
  sensor.drop = 0.01;
  sensor.seed = spec.seed;
  return writer.finish(
      sensor, fmt::format("{:.0f} Hz seed {} brightness {:.2f} ambient {:.3f} noise {:.3f}", spec.rate_hz,
                          spec.seed, spec.brightness, sensor.ambient, sensor.noise));
}

// ------------------------------------------------------------------------------------------------
// Decoding.

struct Report {
  LedStateChange change;
  Instant emitted;  // time of the sample whose feed() returned it
};

// Sample by sample, so that each state's emission time is exact (the decoder gives the same states
// whatever the batches).
std::vector<Report> decode_with_emission_times(const std::vector<RgbSample>& samples) {
  LedDecoder decoder;
  std::vector<Report> reports;
  for (const RgbSample& s : samples) {
    for (LedStateChange& c : decoder.feed(std::span(&s, 1))) reports.push_back({std::move(c), s.t});
  }
  const Instant last = samples.empty() ? run_start() : samples.back().t;
  for (LedStateChange& c : decoder.finish()) reports.push_back({std::move(c), last});
  return reports;
}

// Samples per second, fed in 200 ms batches as the colour sensors deliver them; best of `rounds`.
double decoding_speed(const std::vector<Trace>& traces, double rate_hz, int rounds) {
  const auto batch = static_cast<std::size_t>(rate_hz / 5);
  std::size_t samples = 0;
  for (const Trace& t : traces) samples += t.samples.size();
  double best = 0;
  for (int round = 0; round < rounds; ++round) {
    std::size_t states = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const Trace& t : traces) {
      LedDecoder decoder;
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

struct ClassScore {
  int stretches = 0;
  int late = 0;                   // named after the allowance (or never)
  int missed = 0;                 // never named while it showed (or within its allowance after)
  Duration worst_emitted{0};      // latency by emission time
  Duration worst_recognised{0};   // latency by the state's own `recognised`
  Duration worst_start_error{0};  // |reported start - true start|
};

struct Score {
  std::size_t samples = 0;
  Duration judged{0}, judged_correct{0};  // outside the recognition windows
  Duration total{0}, total_correct{0};    // the whole trace
  std::map<PatternClass, ClassScore> classes;
  int sos = 0, sos_exact = 0;
  int flashes = 0, flashes_exact = 0;
  int reports = 0, wrong_reports = 0;  // states whose label the script never showed at their start
  std::map<std::string, Duration> wrong_by_state;  // judged time labelled wrongly, by the true state
  std::vector<std::string> problems;

  void add(const Score& o) {
    samples += o.samples;
    judged += o.judged;
    judged_correct += o.judged_correct;
    total += o.total;
    total_correct += o.total_correct;
    for (const auto& [kind, c] : o.classes) {
      ClassScore& mine = classes[kind];
      mine.stretches += c.stretches;
      mine.late += c.late;
      mine.missed += c.missed;
      mine.worst_emitted = std::max(mine.worst_emitted, c.worst_emitted);
      mine.worst_recognised = std::max(mine.worst_recognised, c.worst_recognised);
      mine.worst_start_error = std::max(mine.worst_start_error, c.worst_start_error);
    }
    sos += o.sos;
    sos_exact += o.sos_exact;
    flashes += o.flashes;
    flashes_exact += o.flashes_exact;
    reports += o.reports;
    for (const auto& [state, d] : o.wrong_by_state) wrong_by_state[state] += d;
    wrong_reports += o.wrong_reports;
    problems.insert(problems.end(), o.problems.begin(), o.problems.end());
  }
  double share() const { return judged.count() > 0 ? to_ms(judged_correct) / to_ms(judged) : 0; }
  double raw_share() const { return total.count() > 0 ? to_ms(total_correct) / to_ms(total) : 0; }
};

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

Score score_trace(const Trace& trace) {
  const std::vector<Report> reports = decode_with_emission_times(trace.samples);
  Score score;
  score.samples = trace.samples.size();
  score_time(trace, reports, score);
  score_stretches(trace, reports, score);
  score_reports(trace, reports, score);
  return score;
}

// ------------------------------------------------------------------------------------------------
// The run.

struct Options {
  bool quick = false;
  int seeds = 6;
  int stretches = 120;
  int speed_rounds = 5;
  int show_problems = 20;
  // --show SEED FROM_S TO_S: the script and the decoder's states over that stretch of one trace
  // (and only that trace is run).
  std::optional<std::uint64_t> show_seed;
  double show_from_s = 0, show_to_s = 0;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (arg == "--quick") {
      o.quick = true;
      o.seeds = 1;
      o.stretches = 40;
    } else if (arg == "--seeds") {
      o.seeds = std::max(1, value());
    } else if (arg == "--stretches") {
      o.stretches = std::max(2, value());
    } else if (arg == "--problems") {
      o.show_problems = value();
    } else if (arg == "--show" && i + 3 < argc) {
      o.show_seed = std::strtoull(argv[++i], nullptr, 10);
      o.show_from_s = std::atof(argv[++i]);
      o.show_to_s = std::atof(argv[++i]);
    } else {
      fmt::print(stderr,
                 "usage: led_decoder_accuracy [--quick] [--seeds N] [--stretches N] [--problems N]\n"
                 "                            [--show SEED FROM_S TO_S]\n"
                 "  --quick: one short trace per rate, no speed target (the ctest check)\n");
      std::exit(2);
    }
  }
  return o;
}

constexpr double kShareTarget = 0.99;
constexpr double kSpeedTarget = 1e6;

// Brightness for trace `i` of `n`: one draw from each of n equal parts of 0.2-1.0, so every rate
// sees the whole range.
float stratified_brightness(int i, int n, std::uint64_t seed) {
  std::mt19937_64 random(seed * 7919U);
  const float u = std::uniform_real_distribution<float>(0.0F, 1.0F)(random);
  return 0.2F + 0.8F * (static_cast<float>(i) + u) / static_cast<float>(n);
}

void print_class_table(const Score& score) {
  fmt::print("  {:<14} {:>5} {:>11} {:>11} {:>14} {:>14} {:>5} {:>6}\n", "pattern", "n", "allowance",
             "worst_emit", "worst_recogn.", "worst_start_err", "late", "missed");
  for (const PatternClass kind : kClasses) {
    const auto it = score.classes.find(kind);
    if (it == score.classes.end()) continue;
    const ClassScore& c = it->second;
    const std::string allowance = kind == PatternClass::sos           ? "1.5 plays"
                                  : kind == PatternClass::cloud_error ? "1.5 bursts"
                                                                      : "";
    Duration fixed{0};
    for (const DefaultLedSignal& s : kDefaultLedSignals) {
      if (class_of(s) == kind) {
        fixed = kind == PatternClass::off     ? kOffAllowance
                : kind == PatternClass::solid ? kSolidAllowance
                                              : one_and_a_half(s.period);
      }
    }
    fmt::print("  {:<14} {:>5} {:>11} {:>8.0f} ms {:>11.0f} ms {:>12.0f} ms {:>5} {:>6}\n", class_name(kind),
               c.stretches, allowance.empty() ? fmt::format("{:.0f} ms", to_ms(fixed)) : allowance,
               to_ms(c.worst_emitted), to_ms(c.worst_recognised), to_ms(c.worst_start_error), c.late,
               c.missed);
  }
}

// For finding out why: what the script showed and what the decoder said over a window.
void show(const Trace& trace, double from_s, double to_s) {
  const Instant from =
      run_start() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(from_s));
  const Instant to = run_start() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(to_s));
  fmt::print("{}\n  script (start-end ms):", trace.name);
  for (const Stretch& s : trace.stretches) {
    if (s.end >= from && s.start <= to) {
      fmt::print(" {}@{:.0f}-{:.0f}", describe(s.label), ms_since_start(s.start), ms_since_start(s.end));
    }
  }
  fmt::print("\n  decoder (start/recognised/emitted ms):");
  for (const Report& r : decode_with_emission_times(trace.samples)) {
    if (r.emitted >= from && r.change.start <= to) {
      fmt::print(" {}@{:.0f}/{:.0f}/{:.0f}", describe(label_of(r.change)), ms_since_start(r.change.start),
                 ms_since_start(r.change.recognised), ms_since_start(r.emitted));
    }
  }
  fmt::print("\n");
}

bool meets_targets(const Score& s) {
  int late = 0;
  for (const auto& [kind, c] : s.classes) late += c.late;
  return s.share() >= kShareTarget && late == 0 && s.sos_exact == s.sos && s.flashes_exact == s.flashes;
}

int run(const Options& options) {
  bool pass = true;
  Score all;
  std::vector<std::string> rows;
  for (const double rate : {50.0, 100.0, 200.0}) {
    std::vector<Trace> traces;
    Score score;
    Duration shown{0};
    for (int i = 0; i < options.seeds; ++i) {
      const auto seed = static_cast<std::uint64_t>(1000 * rate) + static_cast<std::uint64_t>(i) + 1;
      if (options.show_seed && options.show_seed != seed) continue;  // --show looks at one trace
      traces.push_back(
          generate({rate, seed, stratified_brightness(i, options.seeds, seed), options.stretches}));
      if (options.show_seed == seed) show(traces.back(), options.show_from_s, options.show_to_s);
      score.add(score_trace(traces.back()));
      shown += traces.back().end - run_start();
    }
    if (traces.empty()) continue;
    const double speed = decoding_speed(traces, rate, options.quick ? 1 : options.speed_rounds);
    const bool rate_pass = meets_targets(score) && (options.quick || speed >= kSpeedTarget);
    pass = pass && rate_pass;
    fmt::print("\n{:.0f} Hz: {} traces, {:.1f} min of light, {} samples, {} states reported ({} wrong)\n",
               rate, traces.size(), to_seconds(shown) / 60, score.samples, score.reports,
               score.wrong_reports);
    print_class_table(score);
    std::string wrong;
    for (const auto& [state, d] : score.wrong_by_state) {
      wrong += fmt::format(" {} {:.2f}%", state, 100 * to_ms(d) / to_ms(score.judged));
    }
    fmt::print("  judged time labelled wrongly, by the true state:{}\n", wrong.empty() ? " none" : wrong);
    rows.push_back(fmt::format("{:>6.0f} {:>9} {:>8.2f}% {:>8.2f}% {:>9.1f}% {:>9} {:>11} {:>10.1f} {:>6}",
                               rate, score.samples, 100 * score.share(), 100 * score.raw_share(),
                               100 * to_ms(score.total - score.judged) / to_ms(score.total),
                               fmt::format("{}/{}", score.sos_exact, score.sos),
                               fmt::format("{}/{}", score.flashes_exact, score.flashes), speed / 1e6,
                               rate_pass ? "pass" : "FAIL"));
    all.add(score);
  }
  fmt::print(
      "\nshare = time labelled correctly outside the recognition windows ([start, start + allowance) of\n"
      "every stretch, merged; `excluded` is their share of the trace); raw = over the whole trace.\n"
      "Latency = the emitting sample's time (emit) or the state's `recognised` minus when the stretch\n"
      "first shows (its start; for a blink that begins under light of its own colour, its first edge);\n"
      "start_err = the state's back-dated start minus the stretch's. Targets: share >= 99%, no stretch\n"
      "late or missed, SOS codes and flashes exact{}.\n\n",
      options.quick ? "" : ", >= 1 M samples/s (one core, 200 ms batches, best of 5)");
  fmt::print("{:>6} {:>9} {:>9} {:>9} {:>10} {:>9} {:>11} {:>10} {:>6}\n", "rate", "samples", "share", "raw",
             "excluded", "sos", "flashes", "M samp/s", "");
  for (const std::string& row : rows) fmt::print("{}\n", row);
  if (!all.problems.empty()) {
    fmt::print("\n{} problems{}:\n", all.problems.size(),
               static_cast<int>(all.problems.size()) > options.show_problems ? " (first shown)" : "");
    for (int i = 0; i < std::min<int>(options.show_problems, static_cast<int>(all.problems.size())); ++i) {
      fmt::print("  {}\n", all.problems[static_cast<std::size_t>(i)]);
    }
  }
  fmt::print("\n{}\n", pass ? "PASS: every target met" : "FAIL: a target was missed");
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace cyanrig::test

int main(int argc, char** argv) {
  return cyanrig::test::run(cyanrig::test::parse(argc, argv));
}
