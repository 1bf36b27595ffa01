#include "rig/led/led_light_track.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

// Lit/dark thresholds as fractions of the contrast above the dark level. The gap between them
// keeps a breath's slow ramp from chattering across one threshold.
constexpr float kLitAbove = 0.55F;
constexpr float kDarkBelow = 0.40F;
// E[min(|x1-x0|, |x2-x1|)] for three samples of unit-sd noise: one of the two neighbours of a sample
// is on its side of any edge, so the smaller difference measures noise even in a 10 Hz blink.
constexpr float kNeighbourDiffPerSd = 0.718F;
// How fast the learned levels follow the light.
constexpr float kNoiseRate = 1.0F / 32;
constexpr std::uint64_t kNoiseSettling = 16;
constexpr int kDarkLearnSamples = 128;
constexpr Duration kDarkMemory = std::chrono::seconds(2);
constexpr int kDarkRelearnSamples = 16;
constexpr Duration kSmoothing = milliseconds(80);
constexpr Duration kReferenceMemory = std::chrono::seconds(120);
// Two consecutive lit samples this far (largest channel difference, colours normalised) from the
// segment's colour start a new segment: cyan turning red without a dark gap is still an edge.
constexpr float kColourChange = 0.45F;
// Two readings in a row differ from their segment's colour by a change when their mean does by this
// many sds of its noise beyond kColourChange (check_colour_split).
constexpr float kSplitNoiseSds = 1.5F;
// An edge is a step (the LED switched) when the light crosses from below kStepTo to above kStepFrom
// of the contrast (or back) between two samples.
constexpr float kStepFrom = 0.7F;
constexpr float kStepTo = 0.3F;
// A jump: the mean of kJumpSamples points differs from the mean of the kJumpSamples before them by
// kJumpFraction of the contrast and kJumpSigmas noise sds of that difference. A breath (a full
// ramp takes at least a second) moves at most 6% of the contrast over six samples at 50 Hz; a pattern
// cut by another moves the light at once, also when both sides are lit (a breath falling at 60%
// cut by solid gray at 13%), which a step, crossing the lit/dark threshold, would not show.
constexpr std::uint64_t kJumpSamples = 3;
constexpr float kJumpFraction = 0.12F;
constexpr float kJumpSigmas = 5.0F;
// A segment is a clean on or off phase when its mean is this close to the lit or dark level (noise
// chattering across a threshold makes segments in between).
constexpr float kCleanLit = 0.7F;
constexpr float kCleanDark = 0.3F;
// Light of another colour starts the envelope afresh (follow_colour_change) when it is at least this
// share of the contrast and this many channel-noise sds (its colour then measured within ~0.15).
constexpr float kColourResetShare = 0.3F;
constexpr float kColourResetBelow = 0.9F;
constexpr float kColourResetSds = 7.0F;
// A lit segment at least this long is checked for a ramp.
constexpr Duration kMinRampCheck = milliseconds(200);

constexpr float median3(float a, float b, float c) {
  return std::max(std::min(a, b), std::min(std::max(a, b), c));
}

Instant midpoint(Instant a, Instant b) {
  return a + (b - a) / 2;
}

}  // namespace

LightTrack::LightTrack(const LedDecoderOptions& options)
    : options_(options),
      sensor_to_dies_(options.colour_correction ? kSensorToDies * *options.colour_correction : kSensorToDies),
      peaks_(PointRing::kCapacity) {
  // The largest noise gain of a row, against the canonical sensor's.
  auto gain = [](const ChannelMatrix& m) {
    float most = 0;
    for (const auto& row : m.rows) most = std::max(most, std::hypot(row[0], row[1], row[2]));
    return most;
  };
  die_noise_gain_ = gain(sensor_to_dies_) / gain(kSensorToDies);
}

bool LightTrack::add(const RgbSample& sample) {
  // A broken reading would poison every running estimate.
  if (!std::isfinite(sample.r) || !std::isfinite(sample.g) || !std::isfinite(sample.b)) return false;
  if (processed_ > 0 && sample.t < last_t_) return false;
  if (processed_ == 0) earlier_ = previous_ = sample;
  process(earlier_, previous_, sample);
  earlier_ = previous_;
  previous_ = sample;
  return true;
}

void LightTrack::process(const RgbSample& earlier, const RgbSample& before, const RgbSample& sample) {
  closed_.reset();
  const Duration dt = processed_ == 0 ? Duration{0} : sample.t - last_t_;
  const Instant edge_time = processed_ == 0 ? sample.t : midpoint(last_t_, sample.t);
  if (processed_ == 1) interval_ = dt;
  if (processed_ > 1) interval_ += (dt - interval_) / 16;
  last_t_ = sample.t;

  update_dark_reference(earlier, before, sample);
  const float level_earlier = level_of(earlier);
  const float level_before = level_of(before);
  const float level = level_of(sample);
  // The noise is measured at the sample before this one, between its two neighbours.
  if (processed_ > 1) {
    update_noise(level_earlier, level_before, level);
    update_channel_noise(earlier, before, sample);
  }
  const Rgb raw{sample.r, sample.g, sample.b};
  const Rgb light = to_dies(raw - dark_);
  const Rgb colour = normalised(light + (processed_ > 0 ? ring_.at(ring_.next() - 1).light : light));
  update_envelope(sample.t, median3(level_earlier, level_before, level), colour, dt);

  const float alpha =
      processed_ == 0 ? 1.0F : static_cast<float>(dt.count()) / static_cast<float>((kSmoothing + dt).count());
  smooth_ += alpha * (level - smooth_);
  LightPoint p{sample.t, level, smooth_, light, raw, lit_};
  follow_colour_change(p, colour);

  if (processed_ == 0) open_segment(false, sample.t, Duration{0}, ring_.next());
  confirm_step(level);
  const bool was_lit = lit_;
  update_lit_state(p, edge_time, dt / 2);
  if (lit_ == was_lit) check_colour_split(p);
  p.lit = lit_;
  learn_dark(sample, level, dt);
  ring_.push(p);
  add_to_segment(p);
  check_jump();
  ++processed_;
}

void LightTrack::check_jump() {
  if (!contrast_ok_ || ring_.next() < ring_.oldest() + 2 * kJumpSamples) return;
  const std::uint64_t after = ring_.next() - kJumpSamples;  // first point after the jump
  float before_sum = 0, after_sum = 0;
  for (std::uint64_t i = 0; i < kJumpSamples; ++i) {
    before_sum += ring_.at(after - 1 - i).level;
    after_sum += ring_.at(after + i).level;
  }
  const float n = static_cast<float>(kJumpSamples);
  const float difference = std::abs(after_sum - before_sum) / n;
  const float noise = noise_ * std::sqrt(2 / n);
  // Dated where the light moved most from one sample to the next, not where the means still
  // straddle the move (a sample either side of it): a breath's onset must not seem to jump after it.
  auto change_at = [&](std::uint64_t i) { return std::abs(ring_.at(i).level - ring_.at(i - 1).level); };
  const float at_edge = change_at(after);
  for (std::uint64_t i = after - kJumpSamples + 1; i < after + kJumpSamples; ++i) {
    if (change_at(i) > at_edge) return;
  }
  if (difference > std::max(kJumpFraction * contrast_, kJumpSigmas * noise)) {
    last_jump_ = midpoint(ring_.at(after - 1).t, ring_.at(after).t);
  }
}

float LightTrack::level_of(const RgbSample& s) const {
  return std::max(s.r - dark_.r, std::max(s.g - dark_.g, s.b - dark_.b));
}

// The dark level is learned slowly (learn_dark), but light darker than it by far more than the
// noise means it was learned on light (a trace that starts lit): follow such drops at once. Only
// while no die is lit: in die space a lit die pulls the others below their dark level by what the
// unmixing over-corrects (an ideal sensor's green reads -0.26 on the blue die), which is not dark.
void LightTrack::update_dark_reference(const RgbSample& earlier, const RgbSample& before,
                                       const RgbSample& sample) {
  const Rgb m{median3(earlier.r, before.r, sample.r), median3(earlier.g, before.g, sample.g),
              median3(earlier.b, before.b, sample.b)};
  if (processed_ == 0) {
    dark_ = m;
    return;
  }
  // The first samples only settle the noise estimate; learn_dark averages them meanwhile.
  if (processed_ < kNoiseSettling) return;
  // Per channel, so against the per-channel noise (the level's noise, a max over channels, is
  // smaller): a margin too small lets noise ratchet the dark level down over minutes of darkness.
  const float margin = 4 * std::max(noise_, channel_noise_);
  if (std::max({m.r - dark_.r, m.g - dark_.g, m.b - dark_.b}) > margin) return;
  bool dropped = false;
  auto follow = [&](float& dark, float value) {
    if (value < dark - margin) {
      dark = value;
      dropped = true;
    }
  };
  follow(dark_.r, m.r);
  follow(dark_.g, m.g);
  follow(dark_.b, m.b);
  if (dropped) dark_learned_ = std::min(dark_learned_, kDarkRelearnSamples);  // learn the new level quickly
}

namespace {

float neighbour_noise(float before, float value, float after) {
  return std::min(std::abs(value - before), std::abs(after - value)) / kNeighbourDiffPerSd;
}

}  // namespace

// A plain average while it settles, then a clipped running average so that the rare sample next
// to two edges (a lone lit sample) does not count.
void LightTrack::follow_noise(float& noise, float estimate) const {
  // The first estimate comes with the third sample.
  const std::uint64_t estimates = processed_ - 1;
  if (estimates <= kNoiseSettling || noise <= 0) {
    noise += (estimate - noise) / static_cast<float>(std::min<std::uint64_t>(estimates, kNoiseSettling));
    return;
  }
  noise += (std::min(estimate, 4 * noise) - noise) * kNoiseRate;
}

void LightTrack::update_noise(float before, float level, float after) {
  follow_noise(noise_, neighbour_noise(before, level, after));
}

void LightTrack::update_channel_noise(const RgbSample& before, const RgbSample& sample,
                                      const RgbSample& after) {
  const float estimate =
      (neighbour_noise(before.r, sample.r, after.r) + neighbour_noise(before.g, sample.g, after.g) +
       neighbour_noise(before.b, sample.b, after.b)) /
      3;
  follow_noise(channel_noise_, estimate);
}

void LightTrack::update_envelope(Instant t, float median_level, Rgb colour, Duration dt) {
  const std::size_t capacity = peaks_.size();
  auto back = [&]() -> Peak& { return peaks_[(peak_head_ + peak_size_ - 1) % capacity]; };
  while (peak_size_ > 0 && back().level <= median_level) --peak_size_;
  if (peak_size_ == capacity) {
    peak_head_ = (peak_head_ + 1) % capacity;
    --peak_size_;
  }
  ++peak_size_;
  back() = {t, median_level, colour};
  while (peaks_[peak_head_].t < t - options_.envelope_window) {
    peak_head_ = (peak_head_ + 1) % capacity;
    --peak_size_;
  }
  set_contrast(dt);
}

void LightTrack::set_contrast(Duration dt) {
  contrast_ = peaks_[peak_head_].level - dark_level_;
  contrast_ok_ = processed_ >= kNoiseSettling && contrast_ > 0 &&
                 contrast_ >= static_cast<float>(options_.min_contrast_sigmas) * noise_;
  const float forget =
      std::min(1.0F, static_cast<float>(dt.count()) / static_cast<float>(kReferenceMemory.count()));
  reference_ = std::max(reference_ * (1 - forget), contrast_ok_ ? contrast_ : 0.0F);
}

// A pattern is measured against its own light. The LED's colours are not equally bright once a
// sensor has read them: its dies differ, and what is left of the crosstalk adds up in mixtures (white
// reads up to 1.5x a single die), so a pattern of one colour after a brighter one (red blinking after
// breathing white) can sit under the lit threshold the brighter one set, or under what makes a phase
// clean. Light of another colour than the envelope's peak, two points in a row, each a good part of
// the contrast and well above the noise (so its colour is measured), starts the envelope afresh.
void LightTrack::follow_colour_change(const LightPoint& p, Rgb colour) {
  // Only light clearly dimmer than the envelope matters: brighter light raises it anyway.
  const float above_dark = p.level - dark_level_;
  const bool measurable = contrast_ok_ && peak_size_ > 1 && above_dark > kColourResetShare * contrast_ &&
                          above_dark < kColourResetBelow * contrast_ &&
                          p.level > kColourResetSds * channel_noise_;
  if (!measurable || colour_distance(colour, peaks_[peak_head_].colour) <= kColourChange) {
    colour_change_since_.reset();
    return;
  }
  if (!colour_change_since_) {
    colour_change_since_ = p.t;
    return;
  }
  colour_change_since_.reset();
  // Only the latest peak is left: its median level is the new light's (two of its three samples).
  const std::size_t capacity = peaks_.size();
  peak_head_ = (peak_head_ + peak_size_ - 1) % capacity;
  peak_size_ = 1;
  set_contrast(Duration{0});
}

void LightTrack::update_lit_state(const LightPoint& p, Instant edge_time, Duration edge_slack) {
  if (!contrast_ok_) return;
  const float lit_above = dark_level_ + kLitAbove * contrast_;
  const bool rising = !lit_ && p.level > lit_above;
  const bool falling = lit_ && p.level < dark_level_ + kDarkBelow * contrast_;
  if (!rising && !falling) return;
  // Ring position of the first point on the new side: this one (not yet in the ring), or the one
  // before it when that was over the threshold already, unseen because the lit level was not yet
  // known (the first lit sample of a trace raises the envelope one sample later: its median needs
  // the next sample).
  std::uint64_t first = ring_.next();
  if (rising && open_.samples >= 2 && first - 1 > open_.first && ring_.at(first - 1).level > lit_above) {
    --first;
    edge_time = midpoint(ring_.at(first - 1).t, ring_.at(first).t);
    edge_slack = (ring_.at(first).t - ring_.at(first - 1).t) / 2;
  }
  close_segment(edge_time, edge_slack, first - 1);
  // A step: the two samples before the edge on one side, the two from it on the other; the second
  // of those may be the next sample (confirm_step), so that this one's edge is not held back for it.
  const float before1 = ring_.at(first - 1).level;
  const float before2 = first - 1 > ring_.oldest() ? ring_.at(first - 2).level : before1;
  const float from = first < ring_.next() ? ring_.at(first).level : p.level;
  const float high = dark_level_ + kStepFrom * contrast_;
  const float low = dark_level_ + kStepTo * contrast_;
  const bool step_so_far = rising ? std::max(before1, before2) < low && from > high
                                  : std::min(before1, before2) > high && from < low;
  if (step_so_far) possible_step_ = PossibleStep{edge_time, rising, rising ? high : low};
  if (falling) dark_after_step_ = false;
  lit_ = rising;
  open_segment(lit_, edge_time, edge_slack, first);
  if (first < ring_.next()) {
    add_to_segment(ring_.at(first));
    confirm_step(p.level);
  }
}

void LightTrack::confirm_step(float level) {
  if (!possible_step_) return;
  const PossibleStep s = *possible_step_;
  possible_step_.reset();
  if (s.rising ? level <= s.beyond : level >= s.beyond) return;
  last_step_ = s.at;
  recent_steps_[steps_ % kRecentSteps] = s.at;
  ++steps_;
  if (!s.rising) dark_after_step_ = true;
}

std::optional<Instant> LightTrack::first_step_since(Instant t) const {
  for (std::uint64_t i = steps_ > kRecentSteps ? steps_ - kRecentSteps : 0; i < steps_; ++i) {
    if (recent_steps_[i % kRecentSteps] >= t) return recent_steps_[i % kRecentSteps];  // in time order
  }
  return std::nullopt;
}

void LightTrack::check_colour_split(const LightPoint& p) {
  const bool clearly_lit = lit_ && p.level > dark_level_ + kLitAbove * contrast_;
  if (!clearly_lit || open_.samples < 2 ||
      colour_distance(normalised(p.light), normalised(open_colour_)) <= kColourChange) {
    split_candidate_.reset();
    return;
  }
  if (!split_candidate_) {
    split_candidate_ = ring_.next();
    return;
  }
  // Two readings measure a colour only as well as their noise allows: dim light read through a
  // colour correction's full unmixing (green_die_weak's: a fifth of a die's level in noise on the
  // other dies) gave two noisy readings of a red dash in a row past kColourChange, and split the dash
  // in two. Together they differ by a change beyond that noise.
  const Rgb pair = ring_.at(*split_candidate_).light + p.light;
  const float pair_noise = die_noise() * std::sqrt(2.0F) / std::max(brightest(pair), 1e-9F);
  if (colour_distance(normalised(pair), normalised(open_colour_)) <=
      kColourChange + kSplitNoiseSds * pair_noise) {
    split_candidate_ = ring_.next();  // this one may still be the first of a change
    return;
  }
  // Second differing sample in a row: the colour changed at the first one, or before it when the
  // segment's only samples before that are of the new colour too (a phase one sample long before it,
  // too short to give the segment a colour of its own to differ from).
  std::uint64_t first = *split_candidate_;
  split_candidate_.reset();
  const Rgb from_colour = normalised(ring_.at(open_.first).light);
  const Rgb new_colour = normalised(ring_.at(first).light);
  while (first - 1 > open_.first && first - 1 >= ring_.oldest() &&
         colour_distance(normalised(ring_.at(first - 1).light), new_colour) <= kColourChange &&
         colour_distance(normalised(ring_.at(first - 1).light), from_colour) > kColourChange) {
    --first;
  }
  const Instant at = midpoint(ring_.at(first - 1).t, ring_.at(first).t);
  const Duration slack = (ring_.at(first).t - ring_.at(first - 1).t) / 2;
  close_segment(at, slack, first - 1);
  open_segment(true, at, slack, first);
  add_to_segment(ring_.at(first));
}

// A plain average of the first samples, then a running average over kDarkMemory of time.
void LightTrack::learn_dark(const RgbSample& sample, float level, Duration dt) {
  if (lit_ || !dark_learning_) return;
  // After a gradual fall (a breath's trough) dark is only learned once it has lasted far longer than
  // any pattern's dark phase (twice the envelope window, longer than a slow 8 s breath): then it is
  // really dark, and learning it keeps a long darkness (sleep, power off) from drifting until noise
  // looks like light.
  if (!dark_after_step_ && sample.t - open_.begin < 2 * options_.envelope_window) return;
  if (dark_learned_ > 0 && level > dark_level_ + 3 * noise_) return;
  dark_learned_ = std::min(dark_learned_ + 1, kDarkLearnSamples);
  const float by_time =
      std::min(1.0F, static_cast<float>(dt.count()) / static_cast<float>(kDarkMemory.count()));
  const float rate = std::max(1.0F / static_cast<float>(dark_learned_), by_time);
  dark_ = dark_ + (Rgb{sample.r, sample.g, sample.b} - dark_).scaled(rate);
  dark_level_ += (level - dark_level_) * rate;
}

void LightTrack::open_segment(bool lit, Instant at, Duration slack, std::uint64_t first) {
  open_ = LightSegment{};
  open_.lit = lit;
  open_.begin = at;
  open_.begin_slack = slack;
  open_.first = first;
  open_colour_ = Rgb{};
}

void LightTrack::add_to_segment(const LightPoint& p) {
  ++open_.samples;
  // A running colour that follows slow drift but not single samples, nor a sample that may be the
  // first of another colour (check_colour_split): brighter light would outweigh the segment's own
  // (gray turning green), and the second sample of the new colour would then match it.
  if (split_candidate_) return;
  const float rate = 1.0F / static_cast<float>(std::min(open_.samples, 16));
  open_colour_ = open_colour_ + (p.light - open_colour_).scaled(rate);
}

void LightTrack::close_segment(Instant at, Duration slack, std::uint64_t last) {
  if (open_.samples == 0 || last < open_.first) return;
  LightSegment s = open_;
  s.end = at;
  s.end_slack = slack;
  s.last = last;
  const std::uint64_t from = std::max(s.first, ring_.oldest());
  double level_sum = 0;
  Rgb light_sum;
  for (std::uint64_t i = from; i <= last; ++i) {
    const LightPoint& p = ring_.at(i);
    level_sum += p.level;
    light_sum = light_sum + p.light;
  }
  const auto n = static_cast<float>(last - from + 1);
  s.samples = static_cast<int>(last - s.first + 1);
  s.mean_level = static_cast<float>(level_sum / n);
  s.light = light_sum.scaled(1.0F / n);
  // The first sample after an edge may still show the light before it: a pattern that starts while
  // another's light of a different colour is on (a blink turning cyan a few ms into a green lit
  // phase, or rising from a blue breath's trough) shows that colour for one sample, too few to split
  // the segment (check_colour_split) yet enough to pull a short phase's colour past the naming
  // tolerance. Such a sample is left out of the colour.
  if (s.lit && last >= from + 2) {
    const Rgb rest = (light_sum - ring_.at(from).light).scaled(1.0F / (n - 1));
    if (colour_distance(normalised(ring_.at(from).light), normalised(rest)) > kColourChange) s.light = rest;
  }
  s.flat = !s.lit || segment_is_flat(s);
  // A lit phase of another colour than the envelope's peak is measured against its own light, as
  // follow_colour_change would have the envelope do had its noisy points not kept it from it (a
  // dim orange flash right after cyan): clean at the share of the contrast that lets it.
  const bool other_colour =
      s.lit && colour_distance(normalised(s.light), peaks_[peak_head_].colour) > kColourChange;
  s.clean = s.lit ? s.mean_level >= dark_level_ + (other_colour ? kColourResetShare : kCleanLit) * contrast_
                  : s.mean_level <= dark_level_ + kCleanDark * contrast_;
  closed_ = s;
}

// A breath's lit part rises and/or falls by a good part of the contrast between its thirds; a
// blink's or a solid's thirds agree within the noise.
bool LightTrack::segment_is_flat(const LightSegment& s) const {
  const std::uint64_t from = std::max(s.first, ring_.oldest());
  const std::uint64_t n = s.last - from + 1;
  if (s.length() < kMinRampCheck || n < 6) return true;
  std::array<double, 3> sums{};
  std::array<int, 3> counts{};
  for (std::uint64_t i = from; i <= s.last; ++i) {
    const std::size_t third = (i - from) * 3 / n;
    sums[third] += ring_.at(i).level;
    ++counts[third];
  }
  std::array<float, 3> means{};
  for (std::size_t k = 0; k < 3; ++k) means[k] = static_cast<float>(sums[k] / std::max(counts[k], 1));
  const float spread =
      *std::max_element(means.begin(), means.end()) - *std::min_element(means.begin(), means.end());
  const float noise_of_mean = 3 * noise_ / std::sqrt(static_cast<float>(n) / 3);
  return spread <= 0.2F * contrast_ + noise_of_mean;
}

}  // namespace cyanrig::led_detail
