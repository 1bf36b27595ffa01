#include "tests/led/accuracy_traces.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <random>
#include <variant>

#include "rig/led/calibration.hpp"

namespace cyanrig::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

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

Label label_of(const LedStateChange& s) {
  return {s.state, s.code, s.colour, s.count};
}

std::string describe(const Label& l) {
  std::string text = l.state;
  if (l.code) text += fmt::format("({})", *l.code);
  if (l.colour) text += fmt::format("({} x{})", *l.colour, l.count.value_or(0));
  return text;
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

namespace {

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

}  // namespace

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
  if (spec.optics != nullptr) sensor.optics = spec.optics->optics;
  Trace trace = writer.finish(
      sensor, fmt::format("{:.0f} Hz seed {} brightness {:.2f} ambient {:.3f} noise {:.3f}{}{}", spec.rate_hz,
                          spec.seed, spec.brightness, sensor.ambient, sensor.noise,
                          spec.optics != nullptr ? fmt::format(" optics {}", spec.optics->name) : "",
                          spec.calibrated ? " calibrated" : ""));
  if (spec.calibrated) trace.options.colour_correction = sensor_correction(probe_calibration(sensor));
  return trace;
}

}  // namespace cyanrig::test
