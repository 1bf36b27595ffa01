#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

// What LightTrack averages the dark level over.
constexpr float kDarkLevelSamples = 128;

}  // namespace

const NamedColour* nearest_default_colour(Rgb light, double tolerance) {
  const Rgb c = normalised(light);
  if (brightest(c) <= 0) return nullptr;
  const NamedColour* best = nullptr;
  auto best_distance = static_cast<float>(tolerance);
  for (const NamedColour& named : kLedColours) {
    const float d = colour_distance(c, normalised(named.rgb));
    if (d <= best_distance && (best == nullptr || d < best_distance)) {
      best = &named;
      best_distance = d;
    }
  }
  return best;
}

bool is_colour(const NamedColour* c, std::string_view name) {
  return c != nullptr && c->name == name;
}

bool is_flash_colour(const NamedColour* c) {
  return is_colour(c, "red") || is_colour(c, "orange") || is_colour(c, "magenta");
}

double colour_tolerance_for(double base, float channel_noise, int samples, float level) {
  const float uncertainty = channel_noise * (1 / std::sqrt(static_cast<float>(std::max(samples, 1))) +
                                             1 / std::sqrt(kDarkLevelSamples));
  return base + 3 * uncertainty / std::max(level, 1e-9F);
}

}  // namespace cyanrig::led_detail
