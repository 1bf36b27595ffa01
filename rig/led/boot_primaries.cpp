#include "rig/led/boot_primaries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace cyanrig {
namespace {

using std::chrono::milliseconds;

// White is read from the start of its breath: a straight line through each channel over this much
// of it (1.5% of the light is gone after 30 ms of a 4 s breath, 15% after 300), taken at the start.
constexpr Duration kWhiteFit = milliseconds(400);
// A blink's lit samples: those at least this share of the way from dark to the window's brightest
// (the LED is either on or off; a lit phase's first and last readings may straddle an edge).
constexpr float kLitShare = 0.8F;
constexpr std::size_t kMinSamples = 4;

struct Window {
  Instant from, to;
};

std::optional<Window> window_of(std::span<const LedStateChange> states,
                                std::initializer_list<std::string_view> names) {
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (std::find(names.begin(), names.end(), states[i].state) == names.end()) continue;
    const Instant to = i + 1 < states.size() ? states[i + 1].start : Instant::max();
    return Window{states[i].start, to};
  }
  return std::nullopt;
}

float above_dark(const RgbSample& s, const ChannelLevels& dark) {
  return std::max({s.r - dark.r, s.g - dark.g, s.b - dark.b});
}

// The mean of a blink's lit samples within the window.
std::optional<ChannelLevels> lit_mean(std::span<const RgbSample> samples, Window w,
                                      const ChannelLevels& dark) {
  float top = 0;
  for (const RgbSample& s : samples) {
    if (s.t >= w.from && s.t < w.to) top = std::max(top, above_dark(s, dark));
  }
  std::vector<RgbSample> lit;
  for (const RgbSample& s : samples) {
    if (s.t >= w.from && s.t < w.to && above_dark(s, dark) >= kLitShare * top) lit.push_back(s);
  }
  if (lit.size() < kMinSamples) return std::nullopt;
  return mean_levels(lit);
}

// Each channel of a breath's first kWhiteFit, fitted with a line and read at the breath's start.
std::optional<ChannelLevels> breath_start(std::span<const RgbSample> samples, Window w) {
  double n = 0, sx = 0, sxx = 0;
  std::array<double, 3> sy{}, sxy{};
  for (const RgbSample& s : samples) {
    if (s.t < w.from || s.t >= std::min(w.to, w.from + kWhiteFit)) continue;
    const double x = to_seconds(s.t - w.from);
    const std::array<double, 3> y{s.r, s.g, s.b};
    n += 1;
    sx += x;
    sxx += x * x;
    for (std::size_t i = 0; i < 3; ++i) {
      sy[i] += y[i];
      sxy[i] += x * y[i];
    }
  }
  const double det = n * sxx - sx * sx;
  if (n < kMinSamples || det <= 0) return std::nullopt;
  std::array<float, 3> at_start{};
  for (std::size_t i = 0; i < 3; ++i) {
    const double slope = (n * sxy[i] - sx * sy[i]) / det;
    at_start[i] = static_cast<float>((sy[i] - slope * sx) / n);
  }
  return ChannelLevels{at_start[0], at_start[1], at_start[2], -1};
}

ChannelLevels plus(const ChannelLevels& a, const ChannelLevels& b, float sign) {
  return {a.r + sign * b.r, a.g + sign * b.g, a.b + sign * b.b, -1};
}

}  // namespace

std::variant<LearnedPrimaries, std::string> learn_primaries_from_boot(std::span<const RgbSample> samples,
                                                                      std::span<const LedStateChange> states,
                                                                      const ChannelLevels& dark) {
  const auto white_window = window_of(states, {"breathing_white"});
  const auto green_window = window_of(states, {"blinking_green", "fast_blinking_green"});
  const auto cyan_window = window_of(states, {"blinking_cyan", "fast_blinking_cyan"});
  if (!white_window) return std::string("the device showed no breathing white while booting");
  if (!green_window)
    return std::string("the device showed no blinking green: did it start joining its network?");
  if (!cyan_window)
    return std::string("the device showed no blinking cyan: did it start connecting to the cloud?");
  const auto white = breath_start(samples, *white_window);
  const auto green = lit_mean(samples, *green_window, dark);
  const auto cyan = lit_mean(samples, *cyan_window, dark);
  if (!white || !green || !cyan)
    return std::string("too few readings of white, green or cyan to measure them");
  // Each reading includes dark once: white - cyan + dark is the red die's reading alone.
  LearnedPrimaries out;
  out.white = *white;
  out.primaries.red = plus(plus(*white, *cyan, -1), dark, 1);
  out.primaries.green = *green;
  out.primaries.blue = plus(plus(*cyan, *green, -1), dark, 1);
  return out;
}

}  // namespace cyanrig
