// BreathMatcher's ramps (breath_matcher.hpp): where a breath began (its onset at a jump up, or within
// a blink's lit phase it merged with) and the straight line of each ramp, its colour and its start.
#include <algorithm>
#include <array>
#include <cmath>

#include "rig/led/breath_matcher.hpp"
#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

constexpr Duration kMinRamp = milliseconds(300);
// A peak within this of a rising step is the step itself (a breath starts at full brightness).
constexpr Duration kOnsetReach = milliseconds(500);
constexpr float kOnsetJump = 0.25F;
// A blink before an onset (note_blink_before): its phases are at most this long (a 2 Hz blink's
// 250 ms, with margin), dark below and lit above these shares of the contrast; the lit level is
// also taken from the samples this soon after the rise.
constexpr Duration kLongestMergedLit = milliseconds(300);
constexpr float kBlinkDarkBelow = 0.4F;
constexpr float kBlinkLitAbove = 0.7F;
constexpr Duration kFullLevelAfterRise = milliseconds(40);
constexpr Duration kLitLevelReach = milliseconds(500);
// What a breath's ramp may deviate from a straight line beyond the noise, as a fraction of contrast.
constexpr double kRampWobble = 0.05;
// A breath's ramp covers at least kRampMinSpan of the contrast, starts (or ends) above kRampMinTop;
// a full one reaches within kRampNearDark of dark.
constexpr double kRampMinSpan = 0.25;
constexpr double kRampMinTop = 0.6;
constexpr double kRampNearDark = 0.2;
// A point is on a ramp's line for its colour within this many noise sds plus the ramp's wobble.
constexpr double kColourInlierSds = 3.0;

// Each channel's least-squares line against time (seconds from `from_t`) through the middle 80% of
// a ramp, from the points on the ramp's own fitted line (level = intercept + slope * x) only; the
// channels are the points' `channels` (their raw readings, or their light in die space).
struct ChannelLines {
  double n = 0, sx = 0, sxx = 0;
  std::array<double, 3> sy{}, sxy{};
  double det() const { return n * sxx - sx * sx; }
  double slope(std::size_t i) const { return (n * sxy[i] - sx * sy[i]) / det(); }
  double intercept(std::size_t i) const { return (sy[i] - slope(i) * sx) / n; }
};

ChannelLines fit_channels(std::uint64_t from_position, Instant from_t, Duration length, double slope,
                          double intercept, const LightTrack& track, Rgb LightPoint::*channels) {
  const double inlier = kColourInlierSds * track.noise() + kRampWobble * track.contrast();
  const PointRing& ring = track.ring();
  const Instant lo = from_t + length / 10;
  const Instant hi = from_t + length - length / 10;
  ChannelLines f;
  for (std::uint64_t pos = from_position; pos < ring.next(); ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t > hi) break;
    const double x = to_s(p.t - from_t);
    if (p.t < lo || std::abs(p.level - (intercept + slope * x)) > inlier) continue;
    f.n += 1;
    f.sx += x;
    f.sxx += x * x;
    const Rgb c = p.*channels;
    const std::array<double, 3> y{c.r, c.g, c.b};
    for (std::size_t i = 0; i < 3; ++i) {
      f.sy[i] += y[i];
      f.sxy[i] += x * y[i];
    }
  }
  return f;
}

}  // namespace

// A breath starts at full brightness: when the peak sits just after a jump up (from dark, or from
// wherever the pattern before left the light), the ramp and the state began at the jump, not where
// the smoothed level topped out. A jump: two samples above two samples by a good part of the
// contrast, which a breath's own slope (1/80 of it per 25 ms step) never makes.
BreathMatcher::Extreme BreathMatcher::with_onset(Extreme peak, const LightTrack& track) const {
  const PointRing& ring = track.ring();
  const float jump = kOnsetJump * track.contrast();
  for (std::uint64_t pos = peak.position; pos >= ring.oldest() + 2 && pos + 1 < ring.next(); --pos) {
    if (peak.t - ring.at(pos).t > kOnsetReach) break;
    const float after = std::min(ring.at(pos).level, ring.at(pos + 1).level);
    const float before = std::max(ring.at(pos - 1).level, ring.at(pos - 2).level);
    // One dark reading between lit ones is a dark phase too (a blink's, the breath starting as it
    // began): noise never takes that much off light this far above the noise.
    const bool dark_reading =
        ring.at(pos - 1).level < track.dark_level() + kBlinkDarkBelow * track.contrast() &&
        after - ring.at(pos - 1).level > jump && after > 10 * track.noise();
    if (after - before > jump || dark_reading) {
      peak.t = ring.at(pos - 1).t + (ring.at(pos).t - ring.at(pos - 1).t) / 2;
      peak.position = pos;
      note_blink_before(peak, track);
      return peak;
    }
  }
  return peak;
}

// A breath that begins while a blink of its colour is lit (fast blinking cyan turning breathing cyan
// on the handshake) shows no edge of its own: the blink's lit phase runs on into the breath's full
// start, and the jump up found is the blink's rise, up to a lit phase early. When the light before
// that rise was blinking (a dark phase, and a lit phase before it, each short), the breath began
// within one such lit phase of the rise; fit_ramp places it there, where the breath's line stands at
// the blink's lit level (the same LED brightness).
void BreathMatcher::note_blink_before(Extreme& peak, const LightTrack& track) const {
  const PointRing& ring = track.ring();
  const float dark_below = track.dark_level() + kBlinkDarkBelow * track.contrast();
  const float lit_above = track.dark_level() + kBlinkLitAbove * track.contrast();
  std::uint64_t pos = peak.position;
  auto earlier = [&] { return pos > ring.oldest() + 1; };
  // The dark phase right before the rise, then the lit phase before that.
  Instant dark_end = ring.at(pos).t;
  while (earlier() && ring.at(pos - 1).level < dark_below) --pos;
  const Instant dark_start = ring.at(pos).t;
  const Instant lit_end = dark_start;
  const std::uint64_t lit_last = pos;
  while (earlier() && ring.at(pos - 1).level > lit_above) --pos;
  const Duration dark = dark_end - dark_start;
  const Duration lit = lit_end - ring.at(pos).t;
  if (pos == lit_last || dark <= Duration{0} || dark > kLongestMergedLit || lit > kLongestMergedLit) return;
  // The lit phase starting at the rise is as long as the blink's: a dark phase and its sample gap.
  peak.merged_within = dark + track.sample_interval();
  // The blink's lit reading from its lit phases of the breath's colour (another colour reads
  // otherwise on every channel) over the last kLitLevelReach, and the first samples after the rise
  // (lit in either reading): a 10 Hz blink at 50 Hz shows two or three readings a lit phase.
  const Rgb colour = normalised(ring.at(peak.position).light);
  Rgb lit_sum;
  int lit_count = 0;
  for (pos = lit_last; earlier() && dark_start - ring.at(pos - 1).t < kLitLevelReach;) {
    --pos;
    if (ring.at(pos).level > lit_above &&
        colour_distance(normalised(ring.at(pos).light), colour) <= kSameColour) {
      lit_sum = lit_sum + ring.at(pos).raw;
      ++lit_count;
    }
  }
  for (std::uint64_t p = peak.position; p < ring.next() && ring.at(p).t - peak.t < kFullLevelAfterRise; ++p) {
    lit_sum = lit_sum + ring.at(p).raw;
    ++lit_count;
  }
  peak.full = lit_sum.scaled(1.0F / static_cast<float>(lit_count));
}

// Least-squares line through the middle 80% of the ramp (its ends are where the smoothed extremes
// blur): a breath is straight, spans most of the contrast, and its slope gives the period.
BreathMatcher::Ramp BreathMatcher::fit_ramp(const Extreme& from, const Extreme& to,
                                            const LightTrack& track) const {
  Ramp r{from, to};
  const Duration length = to.t - from.t;
  const PointRing& ring = track.ring();
  if (length < kMinRamp || from.position < ring.oldest()) return r;
  const Instant lo = from.t + length / 10;
  const Instant hi = to.t - length / 10;
  const float dark = track.dark_level();
  const float contrast = track.contrast();
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  for (std::uint64_t pos = from.position; pos <= to.position; ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t < lo || p.t > hi) continue;
    const double x = to_s(p.t - from.t);
    const double y = p.level;
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
  const double det = n * sxx - sx * sx;
  if (n < 8 || det <= 0) return r;
  const double slope = (n * sxy - sx * sy) / det;
  const double intercept = (sy - slope * sx) / n;
  const double rms = std::sqrt(std::max(0.0, (syy - intercept * sy - slope * sxy) / n));
  const bool falling = from.peak;
  const double at_from = intercept;
  const double at_to = intercept + slope * to_s(length);
  const double high = (falling ? at_from : at_to) - dark;
  const double low = (falling ? at_to : at_from) - dark;
  // Straight: what is left after the line is the sensor noise plus a little (the 25 ms steps).
  const double straight = 1.5 * std::hypot(track.noise(), kRampWobble * contrast);
  r.breath_like = (falling ? slope < 0 : slope > 0) && rms <= straight &&
                  high - low >= kRampMinSpan * contrast && high >= kRampMinTop * contrast;
  r.full = low <= kRampNearDark * contrast;
  r.top = static_cast<float>(high + dark);
  r.bottom = static_cast<float>(low + dark);
  r.period = seconds_to_duration(2 * high / std::abs(slope));
  r.start = from.t;
  if (falling && from.merged_within > Duration{0} && slope < 0) {
    r.start = merged_start(from, length, slope, intercept, track);
  }
  r.light = ramp_colour(from, length, slope, intercept, track);
  return r;
}

// A breath begun within a blink's merged lit phase: where its line stands at the blink's lit
// reading, less half an LED step (a line through the 25 ms staircase of a breath passes its steps'
// middles), within that phase. Each channel's own line (through the points on the ramp's line, as
// for its colour) against its own lit reading, weighted by its slope: the channels the LED lights
// all say when, and together say it better than the brightest alone (at 50 Hz, one reading's noise
// is 30 ms of a breath's slope).
Instant BreathMatcher::merged_start(const Extreme& from, Duration length, double slope, double intercept,
                                    const LightTrack& track) const {
  const ChannelLines f =
      fit_channels(from.position, from.t, length, slope, intercept, track, &LightPoint::raw);
  double x_full = (intercept - brightest(from.full)) / -slope;
  if (f.n >= 8 && f.det() > 0) {
    const std::array<double, 3> full{from.full.r, from.full.g, from.full.b};
    double num = 0, den = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      num += f.slope(i) * (full[i] - f.intercept(i));
      den += f.slope(i) * f.slope(i);
    }
    if (den > 0) x_full = num / den;
  }
  // A flat or degenerate fit can put the crossing anywhere, or nowhere (found by fuzz_led_decode: an
  // integer overflow converting it): only the span the merge allows counts, as below.
  if (!std::isfinite(x_full)) x_full = 0;
  x_full = std::clamp(x_full, 0.0, to_s(from.merged_within + led_periods::kUpdateStep));
  const Duration reach = seconds_to_duration(x_full) - led_periods::kUpdateStep / 2;
  return from.t + std::clamp(reach, Duration{0}, from.merged_within);
}

// Each die's light against time along the ramp: how much each changes over it (rising, the bright end
// above the dark end), which a dark level gone off (room light drifting through a long breath) does
// not tint as a mean would. Only from points on the fitted line: where a breath is cut short, the
// light that cut it (a blink starting lit) ends the ramp and must not colour it.
Rgb BreathMatcher::ramp_colour(const Extreme& from, Duration length, double slope, double intercept,
                               const LightTrack& track) const {
  const ChannelLines f =
      fit_channels(from.position, from.t, length, slope, intercept, track, &LightPoint::light);
  if (f.n < 2 || f.det() <= 0) return {};
  const double sign = slope < 0 ? -1 : 1;
  const auto change = [&](std::size_t i) { return static_cast<float>(sign * f.slope(i) * to_s(length)); };
  return {change(0), change(1), change(2)};
}

}  // namespace cyanrig::led_detail
