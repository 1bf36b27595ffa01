// The LED decoder accuracy benchmark's traces (led_decoder_accuracy, docs/benchmarks.md): generated
// scripts that visit every default signal, `off`, SOS with codes 1-20 and cloud-error flashes inside
// blinking cyan in random order, with what each stretch should be read as, read through a sensor
// model (one of the optical variants, uncalibrated or calibrated the way `cyanrig led calibrate`
// does it).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/led/sim/led_optics.hpp"
#include "rig/led/led_state.hpp"
#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {

// The groups latencies are reported by, each with its allowance.
enum class PatternClass { off, solid, blink_slow, blink_normal, blink_fast, breathing, sos, cloud_error };
inline constexpr std::array<PatternClass, 8> kClasses{
    PatternClass::off,        PatternClass::solid,     PatternClass::blink_slow, PatternClass::blink_normal,
    PatternClass::blink_fast, PatternClass::breathing, PatternClass::sos,        PatternClass::cloud_error};
std::string_view class_name(PatternClass c);
PatternClass class_of(const DefaultLedSignal& s);

// Allowances. Blinks and breaths: 1.5 periods. An SOS's code and a burst's count are only known
// when they end, so their "period" is a whole play (panic.c) or burst. `off` and solid light have
// no period: dark is only `off` once it outlasts the dark inside every default pattern (SOS's 1.1 s
// after the code, a 4 s breath's dim trough), steady light only solid once it outlasts every lit
// phase (a breath's bright crest); the allowances are 2 s and 1.5 s.
inline constexpr Duration kOffAllowance = std::chrono::seconds(2);
inline constexpr Duration kSolidAllowance = std::chrono::milliseconds(1500);
inline Duration one_and_a_half(Duration period) {
  return period * 3 / 2;
}

// The state a stretch should be read as: canonical name plus what sos and cloud_error carry.
struct Label {
  std::string state;
  std::optional<int> code;
  std::optional<std::string> colour;
  std::optional<int> count;

  bool operator==(const Label&) const = default;
};
Label label_of(const LedStateChange& s);
std::string describe(const Label& l);

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
  std::vector<RgbSample> samples;  // as the sensor reads them (raw)
  Instant end;
  // What the decoder is given: the slot's colour correction when calibrated.
  LedDecoderOptions options;
};

struct TraceSpec {
  double rate_hz = 50;
  std::uint64_t seed = 1;
  float brightness = 1;
  int stretches = 100;  // roughly: a cloud-error episode adds two or three
  // How the sensor sees the LED (sim::optics_variants()); null: the ideal sensor.
  const sim::OpticsVariant* optics = nullptr;
  // The decoder names colours through a calibration measured as `cyanrig led calibrate --primaries
  // probe` measures it: dark, then each die alone, through the same sensor (noise and all).
  bool calibrated = false;
};

Trace generate(const TraceSpec& spec);

}  // namespace cyanrig::test
