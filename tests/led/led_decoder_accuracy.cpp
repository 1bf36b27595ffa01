// How well the LED decoder reads long, realistic LED traces (issues 4 and 18; docs/benchmarks.md, "LED
// decoder accuracy"): generated scripts visit every default signal, `off`, SOS with codes 1-20 and
// cloud-error flashes inside blinking cyan in random order, read at 50, 100 and 200 Hz through a
// sensor model with brightness 0.2-1.0, ambient light, noise, jitter and 1% lost samples, and through
// each optical variant (drivers/led/sim/led_optics: crosstalk 0-1.5x the datasheet's, channel gains,
// the LED's dies, infrared, drifting room light), both as the sensor reads it (uncalibrated) and
// through the colour correction `cyanrig led calibrate` measures. Scored against the script:
//   - share of time labelled correctly (>= 99%), outside each transition's recognition window;
//   - each stretch reported within its allowance (1.5 periods of the new pattern), by when feed()
//     returned it, counted from when the pattern first shows (a blink that begins under light of
//     its own colour shows nothing new before its first edge);
//   - SOS codes and cloud-error flash colours and counts exact;
//   - decoding speed >= 1 million samples per second on one core.
// Exits 1 when a target is missed. `--quick` runs one short trace per variant, mode and rate and
// leaves out the speed target (a fixed-seed check for ctest); `--show` prints one trace's script
// and states over a window.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/led/accuracy_score.hpp"

namespace cyanrig::test {
namespace {

struct Options {
  bool quick = false;
  int seeds = 6;
  int stretches = 120;
  int speed_rounds = 3;
  int show_problems = 20;
  bool details = false;                           // the per-pattern latency table of every row
  std::vector<const sim::OpticsVariant*> optics;  // empty: every variant
  std::vector<bool> calibrated{false, true};
  // --show SEED FROM_S TO_S: the script and the decoder's states over that stretch of one trace
  // (and only that trace is run).
  std::optional<std::uint64_t> show_seed;
  double show_from_s = 0, show_to_s = 0;
};

[[noreturn]] void usage() {
  std::string names;
  for (const sim::OpticsVariant& v : sim::optics_variants()) names += fmt::format(" {}", v.name);
  fmt::print(stderr,
             "usage: led_decoder_accuracy [--quick] [--seeds N] [--stretches N] [--problems N] [--details]\n"
             "                            [--optics NAME]... [--uncalibrated | --calibrated]\n"
             "                            [--show SEED FROM_S TO_S]\n"
             "  --quick: one short trace per variant, mode and rate, no speed target (the ctest check)\n"
             "  --optics: only this variant (repeatable):{}\n",
             names);
  std::exit(2);
}

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
    } else if (arg == "--details") {
      o.details = true;
    } else if (arg == "--optics" && i + 1 < argc) {
      const sim::OpticsVariant* v = sim::find_optics_variant(argv[++i]);
      if (v == nullptr) usage();
      o.optics.push_back(v);
    } else if (arg == "--uncalibrated") {
      o.calibrated = {false};
    } else if (arg == "--calibrated") {
      o.calibrated = {true};
    } else if (arg == "--show" && i + 3 < argc) {
      o.show_seed = std::strtoull(argv[++i], nullptr, 10);
      o.show_from_s = std::atof(argv[++i]);
      o.show_to_s = std::atof(argv[++i]);
    } else {
      usage();
    }
  }
  if (o.optics.empty()) {
    for (const sim::OpticsVariant& v : sim::optics_variants()) o.optics.push_back(&v);
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
  for (const Report& r : decode_with_emission_times(trace.samples, trace.options)) {
    if (r.emitted >= from && r.change.start <= to) {
      const std::string custom = r.change.rgb ? fmt::format("(rgb {:.2f},{:.2f},{:.2f})", r.change.rgb->r,
                                                            r.change.rgb->g, r.change.rgb->b)
                                              : "";
      const std::string period =
          r.change.period ? fmt::format("(period {:.0f})", to_ms(*r.change.period)) : "";
      fmt::print(" {}{}{}@{:.0f}/{:.0f}/{:.0f}", describe(label_of(r.change)), custom, period,
                 ms_since_start(r.change.start), ms_since_start(r.change.recognised),
                 ms_since_start(r.emitted));
    }
  }
  fmt::print("\n  samples:");
  for (const RgbSample& s : trace.samples) {
    if (s.t >= from && s.t <= to && std::getenv("SHOW_SAMPLES") != nullptr) {
      fmt::print(" {:.0f}:{:.3f},{:.3f},{:.3f}", ms_since_start(s.t), s.r, s.g, s.b);
    }
  }
  fmt::print("\n");
}

int late_of(const Score& s);

bool meets_targets(const Score& s) {
  return s.share() >= kShareTarget && late_of(s) == 0 && s.sos_exact == s.sos && s.flashes_exact == s.flashes;
}

int late_of(const Score& s) {
  int late = 0;
  for (const auto& [kind, c] : s.classes) late += c.late;
  return late;
}

int run(const Options& options) {
  bool pass = true;
  Score all;
  std::vector<std::string> rows;
  for (const sim::OpticsVariant* optics : options.optics) {
    for (const bool calibrated : options.calibrated) {
      for (const double rate : {50.0, 100.0, 200.0}) {
        std::vector<Trace> traces;
        Score score;
        Duration shown{0};
        for (int i = 0; i < options.seeds; ++i) {
          const auto seed = static_cast<std::uint64_t>(1000 * rate) + static_cast<std::uint64_t>(i) + 1;
          if (options.show_seed && options.show_seed != seed) continue;  // --show looks at one trace
          traces.push_back(generate({rate, seed, stratified_brightness(i, options.seeds, seed),
                                     options.stretches, optics, calibrated}));
          if (options.show_seed == seed) show(traces.back(), options.show_from_s, options.show_to_s);
          score.add(score_trace(traces.back()));
          shown += traces.back().end - run_start();
        }
        if (traces.empty()) continue;
        const double speed = decoding_speed(traces, rate, options.quick ? 1 : options.speed_rounds);
        const bool row_pass = meets_targets(score) && (options.quick || speed >= kSpeedTarget);
        pass = pass && row_pass;
        const std::string mode = calibrated ? "calibrated" : "raw";
        if (options.details) {
          fmt::print(
              "\n{} {} {:.0f} Hz: {} traces, {:.1f} min of light, {} samples, {} states reported ({} "
              "wrong)\n",
              optics->name, mode, rate, traces.size(), to_seconds(shown) / 60, score.samples, score.reports,
              score.wrong_reports);
          print_class_table(score);
          std::string wrong;
          for (const auto& [state, d] : score.wrong_by_state) {
            wrong += fmt::format(" {} {:.2f}%", state, 100 * to_ms(d) / to_ms(score.judged));
          }
          fmt::print("  judged time labelled wrongly, by the true state:{}\n",
                     wrong.empty() ? " none" : wrong);
        }
        rows.push_back(fmt::format(
            "{:<16} {:<10} {:>4.0f} {:>9} {:>8.2f}% {:>8.2f}% {:>9} {:>9} {:>5} {:>6} {:>6.1f} {:>5}",
            optics->name, mode, rate, score.samples, 100 * score.share(), 100 * score.raw_share(),
            fmt::format("{}/{}", score.sos_exact, score.sos),
            fmt::format("{}/{}", score.flashes_exact, score.flashes), late_of(score), score.wrong_reports,
            speed / 1e6, row_pass ? "pass" : "FAIL"));
        all.add(score);
      }
    }
  }
  fmt::print(
      "\nshare = time labelled correctly outside the recognition windows ([start, start + allowance) of\n"
      "every stretch, merged); raw = over the whole trace. late = stretches named after their allowance\n"
      "or missed (1.5 periods of the new pattern from when it first shows; see docs/benchmarks.md);\n"
      "wrong = reports naming a state the script did not show (informative). mode: raw = the sensor's\n"
      "readings as they come, calibrated = through the colour correction `cyanrig led calibrate` measures.\n"
      "Targets: share >= 99%, nothing late or missed, SOS codes and flashes exact{}.\n\n",
      options.quick
          ? ""
          : fmt::format(", >= 1 M samples/s (one core, 200 ms batches, best of {})", options.speed_rounds));
  fmt::print("{:<16} {:<10} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>5} {:>6} {:>6} {:>5}\n", "optics", "mode",
             "Hz", "samples", "share", "raw", "sos", "flashes", "late", "wrong", "Ms/s", "");
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
