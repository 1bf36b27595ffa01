// Internal to the LED decoder: what a recogniser hands the decoder when it has named a state, and
// the naming and timing helpers the recognisers share.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

#include "rig/led/led_colour.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::led_detail {

// Which recogniser named a state: blinks, cloud-error flashes, SOS, breathing, steady light, or the
// decoder itself (a dark gap between two states).
enum class Source { blink, flashes, sos, breath, steady, gap };

// A state a recogniser has named, with what the decoder needs to arbitrate.
struct Candidate {
  LedStateChange change;
  Source source = Source::gap;
  std::uint64_t run = 0;     // the recogniser's run that shows it
  Duration longest_dark{0};  // the longest dark stretch the state explains (for the gap `off`)
  bool transient = false;    // a completed state (flashes, a cut-short breath): nothing to keep alive
};

inline Duration abs_duration(Duration d) {
  return d < Duration{0} ? -d : d;
}
inline bool near(Duration measured, Duration expected, Duration tolerance) {
  return abs_duration(measured - expected) <= tolerance;
}
// Within the fraction `fraction` of `expected`, plus `slack`.
inline bool near_fraction(Duration measured, Duration expected, double fraction, Duration slack) {
  return abs_duration(measured - expected) <=
         std::chrono::duration_cast<Duration>(expected * fraction) + slack;
}
inline Duration seconds_to_duration(double s) {
  return Duration{static_cast<Duration::rep>(std::llround(s * 1e6))};
}
inline double to_s(Duration d) {
  return std::chrono::duration<double>(d).count();
}

LedStateChange change_for(std::string_view state, Instant start, Instant now);
// `unknown` with the measured colour (die space; reported as the sensor delivered it, brightest
// channel 1) and period, if periodic.
LedStateChange unknown_change(Instant start, Instant now, Rgb light, std::optional<Duration> period);
// The default signal with this pattern, colour and period (within the fraction `tolerance` plus
// `slack`, what the measurement itself may be off).
const DefaultLedSignal* find_default_signal(LedPattern pattern, std::string_view colour, Duration period,
                                            double tolerance, Duration slack = Duration{0});
// A default signal of `pattern` when colour and period match, else `unknown` with what was measured.
// `period_slack`: how far the measured period may be off through the edges' timing alone.
// `held`: the colour the recogniser last named, kept while the light is within the allowance of it
// (a blink restarted after a lost sample is measured afresh from a few noisy readings, and must not
// flip between two colours it is near both of).
LedStateChange name_periodic(LedPattern pattern, Rgb light, Duration period, Instant start, Instant now,
                             const ColourAllowance& colour, double period_tolerance,
                             Duration period_slack = Duration{0}, const NamedColour* held = nullptr);
bool same_state(const LedStateChange& a, const LedStateChange& b);

}  // namespace cyanrig::led_detail
