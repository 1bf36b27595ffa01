#include "rig/led/led_candidate.hpp"

#include <algorithm>
#include <string>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

// Two custom states are the same when their periods agree within this (measured afresh, so
// looser than within a run).
constexpr double kSameUnknownPeriod = 0.2;

}  // namespace

LedStateChange change_for(std::string_view state, Instant start, Instant now) {
  LedStateChange c;
  c.start = start;
  c.recognised = now;
  c.state = std::string(state);
  return c;
}

LedStateChange unknown_change(Instant start, Instant now, Rgb light, std::optional<Duration> period) {
  LedStateChange c = change_for("unknown", start, now);
  const Rgb rgb = normalised(to_sensor(light));  // as the sensor delivered it
  c.rgb = Rgb{std::max(rgb.r, 0.0F), std::max(rgb.g, 0.0F), std::max(rgb.b, 0.0F)};  // noise dips below dark
  c.period = period;
  return c;
}

const DefaultLedSignal* find_default_signal(LedPattern pattern, std::string_view colour, Duration period,
                                            double tolerance, Duration slack) {
  for (const DefaultLedSignal& signal : kDefaultLedSignals) {
    if (signal.pattern == pattern && signal.colour == colour &&
        near_fraction(period, signal.period, tolerance, slack)) {
      return &signal;
    }
  }
  return nullptr;
}

LedStateChange name_periodic(LedPattern pattern, Rgb light, Duration period, Instant start, Instant now,
                             const ColourAllowance& colour_allowance, double period_tolerance,
                             Duration period_slack, const NamedColour* held) {
  const bool keeps = held != nullptr && colour_score(light, *held, colour_allowance) <= 1 &&
                     find_default_signal(pattern, held->name, period, period_tolerance, period_slack);
  const NamedColour* colour = keeps ? held : nearest_default_colour(light, colour_allowance);
  if (colour != nullptr) {
    if (const DefaultLedSignal* signal =
            find_default_signal(pattern, colour->name, period, period_tolerance, period_slack)) {
      return change_for(signal->state, start, now);
    }
  }
  return unknown_change(start, now, light, period);
}

bool same_state(const LedStateChange& a, const LedStateChange& b) {
  if (a.state != b.state || a.code != b.code || a.colour != b.colour || a.count != b.count) return false;
  if (a.rgb.has_value() != b.rgb.has_value() || a.period.has_value() != b.period.has_value()) return false;
  if (a.rgb && colour_distance(*a.rgb, *b.rgb) > kSameColour) return false;
  return !a.period || near_fraction(*b.period, *a.period, kSameUnknownPeriod, Duration{0});
}

}  // namespace cyanrig::led_detail
