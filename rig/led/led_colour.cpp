#include "rig/led/led_colour.hpp"

#include <array>

namespace cyanrig::led_detail {
namespace {

// What LightTrack averages the dark level over.
constexpr float kDarkLevelSamples = 128;
// Undoing kCanonicalCrosstalk of a sensor's crosstalk leaves up to 0.75x of the typical part's on a
// channel (from none to 1.5x); allowed: 1x, the rest margin for the normalisation.
constexpr double kLeftCrosstalk = 1.0;
// On every channel: what the unmixing leaves beyond first order (a blue die reads 0.01 on the red
// channel of an ideal sensor once unmixed).
constexpr double kChannelFloor = 0.08;

}  // namespace

double colour_score(Rgb light, const NamedColour& colour, const ColourAllowance& allowance) {
  const Rgb measured = normalised(light);
  const Rgb expected = normalised(colour.rgb);
  // A channel the colour leaves dark may show what is left of the crosstalk from its lit dies, at
  // most 1x the typical part's either way (kCanonicalCrosstalk undone of 0-1.5x leaves 0.75x; the
  // rest is margin for the normalisation to the brightest channel). A lit channel may be off by the
  // spread of gains and dies; the crosstalk left on it from the other lit dies is left on the
  // brightest channel alike, and normalising takes most of it out.
  const std::array<float, 3> want{expected.r, expected.g, expected.b};
  const std::array<float, 3> got{measured.r, measured.g, measured.b};
  double worst = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    double crosstalk = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      if (j != i) crosstalk += kTcs34725Crosstalk.rows[i][j] * want[j];
    }
    const double allowed = kLeftCrosstalk * crosstalk * (1 - want[i]) + allowance.spread * want[i] +
                           kChannelFloor + allowance.extra;
    worst = std::max(worst, std::abs(got[i] - want[i]) / allowed);
  }
  return worst;
}

const NamedColour* nearest_default_colour(Rgb light, const ColourAllowance& allowance) {
  if (brightest(normalised(light)) <= 0) return nullptr;
  const NamedColour* best = nullptr;
  double best_score = 1;
  for (const NamedColour& named : kLedColours) {
    const double score = colour_score(light, named, allowance);
    if (score <= best_score && (best == nullptr || score < best_score)) {
      best = &named;
      best_score = score;
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

double noise_allowance(float channel_noise, int samples, float level) {
  const float uncertainty = channel_noise * (1 / std::sqrt(static_cast<float>(std::max(samples, 1))) +
                                             1 / std::sqrt(kDarkLevelSamples));
  return 3 * uncertainty / std::max(level, 1e-9F);
}

}  // namespace cyanrig::led_detail
