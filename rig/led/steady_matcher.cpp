#include "rig/led/steady_matcher.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

// Steady light is measured in blocks; the run's block means must stay within a band of
// kSteadyBand of the reference plus kSteadyNoiseSds noise sds of a block mean (the range of many
// noisy means; yet the bottom of a slow breath must not look steady for solid_after).
constexpr Duration kBlock = milliseconds(200);
constexpr float kSteadyBand = 0.05F;
constexpr float kSteadyNoiseSds = 6.0F;
// A block whose mean sits off the run's by this chi-square (three channels, in noise sds) is light
// of another level: one in ~10^5 steady blocks of Gaussian noise goes past it.
constexpr float kDepartureChi2 = 25.0F;
// The run's lowest and highest block means before it has a whole block (see points_since).
constexpr float kNoMean = std::numeric_limits<float>::max();
// A solid run's thirds agree within kLevelBand of the reference plus kLevelNoiseSds noise sds.
constexpr float kLevelBand = 0.03F;
constexpr float kLevelNoiseSds = 4.0F;
constexpr float kDarkMargin = 0.06F;
// Light this close to the dark level is dark whatever the averaging says: the dark level itself is
// an estimate.
constexpr float kDarkFloorSds = 0.5F;
// The dark level may be learned during the short steady stretches of a pattern's dark phases.
constexpr Duration kPatternDarkPhase = milliseconds(400);
// A lit phase at most this long that did not step is a blink's, cut short (a 2 Hz blink's 250 ms).
constexpr Duration kBriefLit = milliseconds(250);
// Dark after dark: light that dropped by this share of the reference at the change went off there;
// less is room light drifting (0.7% of the reference over a second, seen at 200 Hz).
constexpr float kRemnantShare = 0.02F;

}  // namespace

std::optional<Candidate> SteadyMatcher::on_point(const LightPoint& p, const LightTrack& track,
                                                 bool breathing) {
  if (block_.samples == 0) {
    block_.start = p.t;
    block_.first = track.ring().next() - 1;
    block_.steps_before = track.step_count();
  }
  block_.r += p.raw.r;
  block_.g += p.raw.g;
  block_.b += p.raw.b;
  ++block_.samples;
  block_.last_t = p.t;
  if (track.closed() && track.closed()->lit) last_lit_ = track.closed();
  // Solid light a breath held back is named as soon as the breath is left, not at the next block.
  const bool released = held_by_breath_ && !breathing;
  held_by_breath_ = breathing;
  if (p.t - block_.start >= kBlock) return close_block(track, breathing);
  return released ? offer(track, options_.off_after, options_.solid_after) : std::nullopt;
}

std::optional<Candidate> SteadyMatcher::close_block(const LightTrack& track, bool breathing) {
  Stats block = block_;
  block_ = Stats{};
  const Instant block_start = block.start;
  block.low = block.high = block.mean();
  if (block_continues_run(block, track)) {
    run_.r += block.r;
    run_.g += block.g;
    run_.b += block.b;
    run_.samples += block.samples;
    run_.last_t = block.last_t;
    run_.low = {std::min(run_.low.r, block.low.r), std::min(run_.low.g, block.low.g),
                std::min(run_.low.b, block.low.b)};
    run_.high = {std::max(run_.high.r, block.high.r), std::max(run_.high.g, block.high.g),
                 std::max(run_.high.b, block.high.b)};
  } else if (run_.samples == 0) {
    run_ = block;
    run_.id = next_id_++;
  } else if (std::optional<DarkChange> change = breathing ? std::nullopt : dark_change(block, track);
             change && brightest(change->after - change->before) <= kRemnantShare * track.reference()) {
    // Dark after dark, the light not risen: it changed below the dark margin. Light that went off
    // there (a breath's trough, cut off as it rose again; or what was left of it when the dark run
    // began) dates the dark: a new run when the change is in the latest blocks, else still the run,
    // which the remnant before the change began too early (unless it was named already). Room light
    // drifting dates nothing: the run goes on, measured from the change. (Light rising is a change
    // like any other, below.)
    const bool went_off = brightest(change->before - change->after) > kRemnantShare * track.reference();
    if (went_off && change->at >= previous_block_start_) {
      remember_dark({run_.start, change->at});
      run_ = points_between(change->at, track);
      run_.id = next_id_++;
    } else {
      const std::uint64_t id = run_.id;
      const Instant start = run_.start;
      run_ = points_between(change->at, track);
      run_.id = id;
      if (!went_off || id == settled_run_) run_.start = start;
    }
  } else {
    // The old run ends at the first step after its last point, the new one begins at the last step
    // (a blink in between belongs to neither). Without a step, the points say where the light
    // changed (edges do not: noise over dim light makes them).
    std::optional<Instant> first_change = track.first_step_since(run_.last_t);
    std::optional<Instant> last_change = track.last_step();
    if (last_lit_ && last_lit_->clean && last_lit_->end > run_.last_t && last_lit_->end <= block.last_t &&
        last_lit_->length() <= kBriefLit) {
      // A lit phase too brief to step (a blink's last, cut short as the LED went off; at the lit
      // level, not noise about the threshold): its edges are where the light changed, when no step
      // was later.
      if (!first_change) first_change = last_lit_->begin;
      if (!last_change || *last_change < last_lit_->end) last_change = last_lit_->end;
    }
    const std::optional<Instant> jump = track.last_jump();
    if (!first_change && jump && *jump > run_.last_t) {
      // Nor a step, but a jump no light drifts by (a breath cut off low): the change was there.
      first_change = last_change = jump;
    }
    const Instant gradual = first_change ? Instant{} : gradual_change_time(block, track);
    changed_gradually_ = !first_change;
    const Instant ended = std::max(first_change ? *first_change : gradual, run_.start);
    const Instant began = std::max(first_change ? *last_change : gradual, run_.start);
    if (ended > run_.start && is_dark(run_, track)) remember_dark({run_.start, ended});
    // The new run holds only the light after the change, not the mixed block around it.
    run_ = points_since(began, block, track);
    run_.id = next_id_++;
  }
  previous_block_start_ = block_start;
  previous_block_first_ = block.first;
  const Duration forever = Duration::max();
  return offer(track, options_.off_after, breathing ? forever : options_.solid_after);
}

SteadyMatcher::Stats SteadyMatcher::points_since(Instant at, const Stats& block,
                                                 const LightTrack& track) const {
  Stats since;
  since.start = at;
  since.first = block.first;
  since.steps_before = block.steps_before;
  const PointRing& ring = track.ring();
  for (std::uint64_t pos = std::max(previous_block_first_, ring.oldest()); pos < ring.next(); ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t < at) continue;
    since.r += p.raw.r;
    since.g += p.raw.g;
    since.b += p.raw.b;
    ++since.samples;
    since.last_t = p.t;
  }
  if (since.samples == 0) since = block;
  since.start = at;
  if (since.samples >= block.samples) {
    since.low = since.high = since.mean();
  } else {
    // A few points after the change: their mean is too noisy (and may hold a last lit sample that
    // stepped too briefly to count) to bound the run's block means; the first whole block does.
    since.low = Rgb{kNoMean, kNoMean, kNoMean};
    since.high = Rgb{-kNoMean, -kNoMean, -kNoMean};
  }
  return since;
}

// Where a dark run's light changed, when it and the block after it are both dark and nothing stepped,
// blinked or jumped in between: the split of the run's points and the block's into two means that
// explains the most of their spread (least squares). Nothing when that is not dark after dark.
std::optional<SteadyMatcher::DarkChange> SteadyMatcher::dark_change(const Stats& block,
                                                                    const LightTrack& track) const {
  if (!is_dark(run_, track) || !is_dark(block, track) || track.first_step_since(run_.last_t))
    return std::nullopt;
  if (last_lit_ && last_lit_->end > run_.last_t) return std::nullopt;
  if (const std::optional<Instant> jump = track.last_jump(); jump && *jump > run_.last_t) return std::nullopt;
  const PointRing& ring = track.ring();
  const std::uint64_t first = std::max(run_.first, ring.oldest());
  Rgb total{};
  int n = 0;
  for (std::uint64_t pos = first; pos < ring.next(); ++pos) {
    if (ring.at(pos).t < run_.start) continue;
    total = total + ring.at(pos).raw;
    ++n;
  }
  if (n < 4) return std::nullopt;
  Rgb before{};
  int k = 0;
  float best = -1;
  std::optional<DarkChange> change;
  for (std::uint64_t pos = first; pos + 1 < ring.next(); ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t < run_.start) continue;
    before = before + p.raw;
    ++k;
    if (k < 2 || n - k < 2) continue;
    const Rgb d = before.scaled(1.0F / static_cast<float>(k)) -
                  (total - before).scaled(1.0F / static_cast<float>(n - k));
    const float explained =
        static_cast<float>(k) * static_cast<float>(n - k) / static_cast<float>(n) * dot_product(d, d);
    if (explained > best) {
      best = explained;
      change = DarkChange{p.t + (ring.at(pos + 1).t - p.t) / 2, before.scaled(1.0F / static_cast<float>(k)),
                          (total - before).scaled(1.0F / static_cast<float>(n - k))};
    }
  }
  return change;
}

// The run's points from `at` on.
SteadyMatcher::Stats SteadyMatcher::points_between(Instant at, const LightTrack& track) const {
  Stats since;
  since.start = at;
  since.steps_before = track.step_count();
  const PointRing& ring = track.ring();
  for (std::uint64_t pos = std::max(run_.first, ring.oldest()); pos < ring.next(); ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t < at) continue;
    if (since.samples == 0) since.first = pos;
    since.r += p.raw.r;
    since.g += p.raw.g;
    since.b += p.raw.b;
    ++since.samples;
    since.last_t = p.t;
  }
  since.low = since.high = since.mean();
  return since;
}

// When the light left the run without a step (drifted): where the points start to sit nearer the
// new block's light than the run's.
Instant SteadyMatcher::gradual_change_time(const Stats& block, const LightTrack& track) const {
  const PointRing& ring = track.ring();
  const Rgb old_light = run_.mean();
  const Rgb new_light = block.mean();
  auto distance = [](Rgb a, Rgb b) {
    return std::abs(a.r - b.r) + std::abs(a.g - b.g) + std::abs(a.b - b.b);
  };
  // The split that best fits "old light, then new light": the suffix whose points favour the new
  // light the most in total (a noisy point or two cannot end it early).
  const std::uint64_t earliest = std::max(previous_block_first_, ring.oldest() + 1);
  std::uint64_t best = ring.next() - 1;
  float favour = 0, best_favour = 0;
  for (std::uint64_t pos = ring.next(); pos-- > earliest;) {
    const Rgb raw = ring.at(pos).raw;
    favour += distance(raw, old_light) - distance(raw, new_light);
    if (favour > best_favour) {
      best_favour = favour;
      best = pos;
    }
  }
  return ring.at(best - 1).t + (ring.at(best).t - ring.at(best - 1).t) / 2;
}

// A block continues a steady run when the light did not step within it and the run's block means still span
// less than the band on every channel: a slow breath drifts out of it within half a second.
bool SteadyMatcher::block_continues_run(const Stats& block, const LightTrack& track) const {
  if (run_.samples == 0) return false;
  // A blink fast enough to look steady in block means steps several times per block; noise over a
  // dim steady light (gray) makes the odd edge and even a step, so one is not enough.
  if (track.step_count() - block.steps_before >= 2) return false;
  const float band = kSteadyBand * track.reference() +
                     kSteadyNoiseSds * track.channel_noise() / std::sqrt(static_cast<float>(block.samples));
  const Rgb m = block.mean();
  const float spread = std::max({std::max(run_.high.r, m.r) - std::min(run_.low.r, m.r),
                                 std::max(run_.high.g, m.g) - std::min(run_.low.g, m.g),
                                 std::max(run_.high.b, m.b) - std::min(run_.low.b, m.b)});
  return spread <= band && !departs_from_run(block, track);
}

// The band above is wide (it bounds the range of many noisy block means), so dim gray turning off
// (or back) can stay inside it at brightness 0.2. The block's mean against the run's own (known far
// better) is a sharper test: all three channels together, in noise sds of that difference.
bool SteadyMatcher::departs_from_run(const Stats& block, const LightTrack& track) const {
  const float noise = track.channel_noise();
  if (noise <= 0 || block.samples == 0) return false;
  const float sd =
      noise * std::sqrt(1.0F / static_cast<float>(block.samples) + 1.0F / static_cast<float>(run_.samples));
  const Rgb d = block.mean() - run_.mean();
  const float chi2 = dot_product(d, d) / (sd * sd);
  return chi2 > kDepartureChi2;
}

std::optional<SteadyMatcher::DarkStretch> SteadyMatcher::dark_ending_near(Instant t, Duration reach,
                                                                          const LightTrack& track) const {
  if (run_.samples > 0 && run_.start < t && run_.last_t <= t && t - run_.last_t <= reach &&
      is_dark(run_, track)) {
    return DarkStretch{run_.start, t};
  }
  std::optional<DarkStretch> found;
  const std::size_t held = std::min(dark_count_, dark_stretches_.size());
  for (std::size_t i = 0; i < held; ++i) {
    const DarkStretch& d = dark_stretches_[i];
    if (abs_duration(d.end - t) <= reach && (!found || d.end > found->end)) found = d;
  }
  return found;
}

std::optional<Candidate> SteadyMatcher::offer(const LightTrack& track, Duration dark_needed,
                                              Duration lit_needed) const {
  if (run_.samples == 0 || run_.id == settled_run_) return std::nullopt;
  const Duration length = track.point().t - run_.start;
  const bool dark = is_dark(run_, track);
  if (length < (dark ? dark_needed : lit_needed)) return std::nullopt;
  if (!dark) return looks_level(track) ? std::optional<Candidate>(solid(track)) : std::nullopt;
  Candidate c;
  c.change = change_for("off", run_.start, track.point().t);
  c.source = Source::steady;
  c.run = run_.id;
  return c;
}

// Solid light is level: its first, middle and last thirds agree. The bottom of a slow breath
// can stay inside the block band for a second, but it is a V.
bool SteadyMatcher::looks_level(const LightTrack& track) const {
  const PointRing& ring = track.ring();
  std::array<Rgb, 3> sums{};
  std::array<int, 3> counts{};
  const Duration length = run_.last_t - run_.start;
  if (length <= Duration{0}) return true;
  for (std::uint64_t pos = std::max(run_.first, ring.oldest()); pos < ring.next(); ++pos) {
    const LightPoint& p = ring.at(pos);
    if (p.t < run_.start || p.t > run_.last_t) continue;
    const auto third = static_cast<std::size_t>(std::min<Duration::rep>(2, (p.t - run_.start) * 3 / length));
    sums[third] = sums[third] + p.raw;
    ++counts[third];
  }
  if (counts[0] == 0 || counts[1] == 0 || counts[2] == 0) return true;
  std::array<Rgb, 3> means{};
  for (std::size_t k = 0; k < 3; ++k) means[k] = sums[k].scaled(1.0F / static_cast<float>(counts[k]));
  const int fewest = *std::min_element(counts.begin(), counts.end());
  const float allowed = kLevelBand * track.reference() +
                        kLevelNoiseSds * track.channel_noise() / std::sqrt(static_cast<float>(fewest));
  return colour_distance(means[0], means[1]) <= allowed && colour_distance(means[2], means[1]) <= allowed &&
         colour_distance(means[0], means[2]) <= allowed;
}

std::optional<Candidate> SteadyMatcher::finish(const LightTrack& track, Duration dark_needed) {
  return offer(track, dark_needed, options_.solid_after);
}

bool SteadyMatcher::is_dark(const Stats& run, const LightTrack& track) const {
  const float above_dark = brightest(run.mean() - track.dark());
  const float noise = track.channel_noise();
  const float margin = std::max({kDarkMargin * track.reference(), kDarkFloorSds * noise,
                                 4 * noise / std::sqrt(static_cast<float>(std::max(run.samples, 1)))});
  return above_dark <= margin;
}

// Gray (1F1F1F) is white at 12%: a neutral solid light is gray when it is dim next to the patterns
// recognised before it (a theme's lights share one brightness), or when there were none.
Candidate SteadyMatcher::solid(const LightTrack& track) const {
  const Rgb light = track.to_dies(run_.mean() - track.dark());
  const float level = brightest(light);
  // Only gray is a default solid light: neutral light is light within the allowance of white, whatever
  // other colour it may be nearer to (dim gray's colour is noisy, and a dark level learned off by a
  // little tints it).
  const ColourAllowance allowance{options_.colour_spread,
                                  noise_allowance(track.die_noise(), run_.samples, level)};
  const bool neutral = level > 0 && colour_score(light, *find_led_colour("white"), allowance) <= 1;
  // Against the patterns' light as the sensor read it (through a colour correction, dies are in
  // its units, not the sensor's).
  const bool dim = pattern_light_ <= 0 || brightest(run_.mean() - track.dark()) <=
                                              static_cast<float>(options_.gray_max_level) * pattern_light_;
  Candidate c;
  c.change = neutral && dim ? change_for("solid_gray", run_.start, track.point().t)
                            : unknown_change(run_.start, track.point().t, light, std::nullopt);
  c.source = Source::steady;
  c.run = run_.id;
  c.longest_dark = milliseconds(200);
  return c;
}

std::optional<Duration> SteadyMatcher::dark_for(const LightTrack& track) const {
  if (run_.samples == 0 || !is_dark(run_, track)) return std::nullopt;
  return track.point().t - run_.start;
}

bool SteadyMatcher::dark_learning_ok(const LightTrack& track) const {
  return run_.samples == 0 || track.point().t - run_.start < kPatternDarkPhase || is_dark(run_, track);
}

}  // namespace cyanrig::led_detail
