#include "rig/led/breath_matcher.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

// Breathing: an extreme is confirmed once the smoothed level has moved this fraction of the
// contrast away from it.
constexpr float kTurn = 0.2F;
constexpr Duration kForgetAfterDark = std::chrono::seconds(1);
// A breath run ends when the smoothed light stays this far (a fraction of the span of the run's
// fitted ramps) from the run's triangle for kLeaveBreath: far above the smoothed light's noise even
// at brightness 0.2, and above what a period measured 15% off drifts within half a breath. (A
// sequential test on the raw light leaves sooner but, at brightness 0.2, also leaves real breaths
// whose extremes were dated a little off.)
constexpr float kOffTriangle = 0.2F;
constexpr Duration kLeaveBreath = milliseconds(600);
// A breath keeps its colour all the way round: light whose mean over kColourWindow sits off the
// run's colour (scaled to the light's level) by more than kOffColourSds noise sds of that mean plus
// kOffColourShare of the level, on some channel, is other light (gray after a coloured breath,
// which at the breath's trough neither steps nor jumps). The share is above what the run's measured
// colour may be off by; gray against any default colour but white is off by the whole level.
// Gray is neutral and at most kGrayShareOfBreath of the breath's peak (12% of full, and lit patterns
// share one brightness).
constexpr Duration kColourWindow = milliseconds(200);
constexpr float kOffColourSds = 5.0F;
constexpr float kOffColourShare = 0.25F;
constexpr float kGrayShareOfBreath = 0.4F;
// Light that a constant explains better than the breath's own triangle, at whatever phase, is not
// the breath (gray after a dim white breath, which neither steps nor jumps, nor leaves its colour,
// and whose level the triangle passes through). Every kFlatCheckEvery, over each window of the latest
// kFlatShortest to LevelBins::kCount bins, the least-squares fits of the light along the breath's
// colour are compared: the constant must fit better than the triangle (the run's period and
// span, its phase searched over kFlatPhases steps, its offset free) by kFlatChi2 noise variances
// plus kFlatMismatch of the span per point (the period measured up to 15% off, the 25 ms steps, the
// phase steps). A true breath does that only past 5 sds of noise even where its triangle turns.
constexpr std::int64_t kFlatCheckEvery = 4;  // bins: 200 ms
constexpr std::size_t kFlatShortest = 12;    // bins: 600 ms
constexpr int kFlatPhases = 64;
constexpr double kFlatChi2 = 25.0;
constexpr double kFlatMismatch = 0.02;
// Half of the slowest breath looked for (8 s custom themes), with margin.
constexpr Duration kLongestHalfBreath = milliseconds(4500);
// Ramps of one breathing run agree on the period within this.
constexpr double kBreathAgreement = 0.3;
}  // namespace

std::optional<Candidate> BreathMatcher::on_point(const LightPoint& p, const LightTrack& track) {
  if (!track.contrast_ok()) {
    // Nothing to follow; a ramp does not survive a long stretch of darkness.
    if (!low_contrast_since_) low_contrast_since_ = p.t;
    if (p.t - *low_contrast_since_ >= kForgetAfterDark) {
      running_.reset();
      last_.reset();
      run_.reset();
    }
    return std::nullopt;
  }
  low_contrast_since_.reset();
  // A breath never jumps: a step in the light ends the run at once, and the ramp it cut short
  // names nothing. So does a jump that stays on one side of the lit/dark threshold (a breath cut
  // by solid gray on its way down), which the triangle check alone would only see seconds later.
  // A run not yet named (begun by a ramp that straddled two lights) has no triangle or colour of
  // its own to leave: its next ramp measures it.
  const std::optional<Instant> step = track.last_step();
  const std::optional<Instant> jump = track.last_jump();
  if (run_ &&
      ((step && *step > run_->last.t) || (jump && *jump > run_->last.t) || (leaves_run(p) && run_->named))) {
    run_.reset();
    last_.reset();
  }
  if (run_ && (leaves_colour(p, track) || turns_flat(p, track)) && run_->named) {
    // The extreme the run last reached is kept: the light may be a breath of another colour, named
    // at its next extreme as before. Only no breath is under way meanwhile (mid_breath).
    run_.reset();
    left_at_ = last_ ? std::optional<std::uint64_t>(last_->position) : std::nullopt;
  }
  if (std::optional<Candidate> cut = on_cut(step, jump, track)) return cut;
  const float turn = kTurn * track.contrast();
  const Extreme here{p.t, track.ring().next() - 1, p.smooth, !falling_};
  if (!running_) {
    running_ = here;
    return std::nullopt;
  }
  if (falling_ ? p.smooth < running_->level : p.smooth > running_->level) {
    running_ = here;
    return std::nullopt;
  }
  if (std::abs(p.smooth - running_->level) <= turn) return std::nullopt;
  Extreme confirmed = *running_;
  confirmed.peak = !falling_;
  if (confirmed.peak) confirmed = with_onset(confirmed, track);
  falling_ = !falling_;
  running_ = Extreme{p.t, here.position, p.smooth, !falling_};
  return on_extreme(confirmed, track);
}

// A breath's first ramp cut short by a step or a jump (the ~1 s of breathing white at power-up ends
// at blinking green's first rise) ends there: it is judged at once, from its peak to the last point
// before the cut, rather than when the smoothed light of the pattern that cut it turns, which may
// be after that pattern is named (a state named later with an earlier start is not reported).
std::optional<Candidate> BreathMatcher::on_cut(std::optional<Instant> step, std::optional<Instant> jump,
                                               const LightTrack& track) {
  const std::optional<Instant> cut = step && jump ? std::max(*step, *jump) : step ? step : jump;
  // Only a first ramp under way: not the last extreme of a run the light left (gray after a breath).
  if (run_ || !last_ || !last_->peak || !falling_ || last_->position == left_at_ || !cut ||
      *cut <= last_->t || *cut - last_->t > kLongestHalfBreath || *cut <= cut_seen_) {
    return std::nullopt;
  }
  cut_seen_ = *cut;
  const PointRing& ring = track.ring();
  std::uint64_t pos = ring.next() - 1;
  while (pos > last_->position && pos > ring.oldest() && ring.at(pos).t >= *cut) --pos;
  if (pos <= last_->position) return std::nullopt;
  const Extreme end{ring.at(pos).t, pos, ring.at(pos).smooth, false};
  const Ramp r = fit_ramp(*last_, end, track);
  if (!r.breath_like || r.full) return std::nullopt;  // not a breath cut short: followed as before
  std::optional<Candidate> c = on_ramp(r, track);
  if (!c) return std::nullopt;
  // What follows the cut is another pattern: its extremes are followed afresh.
  running_.reset();
  last_.reset();
  falling_ = false;
  return c;
}

std::optional<Candidate> BreathMatcher::on_extreme(Extreme e, const LightTrack& track) {
  const std::optional<Extreme> from = last_;
  last_ = e;
  if (!from) return std::nullopt;
  return on_ramp(fit_ramp(*from, e, track), track);
}

std::optional<Candidate> BreathMatcher::on_ramp(const Ramp& r, const LightTrack& track) {
  const Instant now = track.point().t;
  const bool continues_run = run_ && r.from.position == run_->last.position;
  bool recoloured = false;
  if (continues_run) {
    const bool same_colour = colour_distance(normalised(r.light), normalised(run_->light)) <= kSameColour;
    // A run a straddling ramp began (not named: its colour mixed, its period off) is measured by its
    // next ramp, which need not agree with it.
    const bool adopts = !run_->named && r.breath_like && r.full;
    if (adopts) {
      run_->period = r.period;
      run_->light = r.light;
    }
    const bool fits =
        adopts || (r.breath_like && r.full &&
                   near_fraction(r.period, run_->period, kBreathAgreement, Duration{0}) && same_colour);
    // In a noisy dim breath one ramp can be misjudged (an extreme found early makes the next ramp
    // long); a breath only ends with two misfits in a row (or at once, at a step). Its colour is
    // measured over many points, so a breath ramp of another colour is a new breath at once
    // (breathing white -> breathing blue, with no step between).
    if (fits || (run_->misfits == 0 && same_colour)) {
      run_->misfits = fits ? 0 : 1;
      run_->last = r.to;
      if (fits) run_->take_levels(r);
      return fits ? rename(r, now) : std::nullopt;
    }
    recoloured = !same_colour && r.breath_like && r.full && r.from.peak;
  }
  // A ramp that continues a run in another colour, or starts where the light left a run, straddles
  // both lights: a breath of the new light only when it falls from a peak. Its colour is mixed and
  // its period off, so it names only a default breath; otherwise the run's next ramp, measured
  // clean, names it (rename), from where that ramp begins.
  const bool straddles = continues_run || (!run_ && r.from.position == left_at_);
  run_.reset();
  // An interrupted run names nothing new, unless the new light is a breath of its own.
  if ((continues_run && !recoloured) || (straddles && !r.from.peak) || !r.breath_like) return std::nullopt;
  if (!r.full) {
    // A breath cut short (the ~1 s of white at power-up): named only when it began at full
    // brightness and ramped long enough to measure.
    if (!r.from.peak || r.to.t - r.from.t < options_.min_partial_breath) return std::nullopt;
    Candidate c = name(r.start, r.period, r.light, now, true);
    c.transient = true;
    return c;
  }
  run_ = Run{next_id_++, r.start, r.period, r.light, r.to, 0};
  run_->take_levels(r);
  run_->levels = LevelBins(now);
  const Rgb colour = normalised(r.light);
  const float squares = dot_product(colour, colour);
  run_->along = squares > 0 ? colour.scaled(1.0F / squares) : Rgb{};
  Candidate c = name(r.start, r.period, r.light, now, false);
  c.run = run_->id;
  run_->named_default = c.change.state != "unknown";
  // A custom breath waits for its next ramp to confirm it: a first ramp is often measured off (its
  // peak blurred by the light before it), and a default breath named from the next ramp is then not
  // preceded by a custom one for a few seconds.
  run_->named = run_->named_default;
  if (run_->named) return c;
  if (straddles) run_->start = r.to.t;  // where the light is known to be the new breath
  return std::nullopt;
}

// The first ramp of a breath can be measured off its period (the light before it blurs its peak)
// and named `unknown`; the next ramp that fits the run is measured clean. When it gives a default
// breath, that is the run's name after all (from the same start).
std::optional<Candidate> BreathMatcher::rename(const Ramp& r, Instant now) {
  if (run_->named_default) return std::nullopt;
  Candidate c = name(run_->start, r.period, r.light, now, false);
  run_->named_default = c.change.state != "unknown";
  const bool named_before = std::exchange(run_->named, true);
  if (!run_->named_default && named_before) return std::nullopt;
  run_->period = r.period;
  c.run = run_->id;
  return c;
}

Candidate BreathMatcher::name(Instant start, Duration period, Rgb light, Instant now, bool cut_short) const {
  Candidate c;
  c.change = name_periodic(LedPattern::breathe, light, period, start, now, {options_.colour_spread},
                           cut_short ? options_.partial_breath_tolerance : options_.period_tolerance);
  c.source = Source::breath;
  c.longest_dark = period / 4;
  return c;
}

std::optional<Candidate> BreathMatcher::finish(const LightTrack& track) {
  if (!running_ || !last_ || run_) return std::nullopt;
  Extreme end = *running_;
  end.peak = !falling_;
  return on_extreme(end, track);
}

// Its last extreme was full (a peak) or dark (a trough).
double BreathMatcher::Run::phase_at(Instant t) const {
  return to_s(t - last.t) / to_s(period) + (last.peak ? 0.0 : 0.5);
}

// A breath follows its triangle between the levels its ramps were fitted to; light that stays off it
// is no longer the breath, even without a step (gray after a breath cut while dim). Without this the
// run would be kept alive, and solid light held back, until its next peak was overdue.
bool BreathMatcher::leaves_run(const LightPoint& p) {
  Run& r = *run_;
  if (r.period <= Duration{0} || r.top <= r.bottom) return false;
  // Between the levels the run's own ramps were fitted to, not the dark level and the envelope's
  // top: a peak picked from noisy samples sits above the breath's, by a good part of the contrast
  // when the light is dim.
  const double expected = r.bottom + triangle(r.phase_at(p.t)) * (r.top - r.bottom);
  if (std::abs(p.smooth - expected) <= kOffTriangle * (r.top - r.bottom)) {
    r.off_since.reset();
    return false;
  }
  if (!r.off_since) r.off_since = p.t;
  return p.t - *r.off_since >= kLeaveBreath;
}

bool BreathMatcher::turns_flat(const LightPoint& p, const LightTrack& track) {
  Run& r = *run_;
  // Along the breath's colour the noise is even about the light, where the brightest channel's is
  // lifted near dark (which flattens a dim breath's trough).
  const Rgb& a = r.along;
  const std::optional<std::int64_t> newest = r.levels.add(p.t, dot_product(p.light, a));
  if (!newest || *newest < r.next_flat_check) return false;
  r.next_flat_check = *newest + kFlatCheckEvery;
  const double period = to_s(r.period);
  const double span = r.top - r.bottom;
  const double noise = track.die_noise() * std::sqrt(dot_product(a, a));
  if (period <= 0 || span <= 0 || noise <= 0) return false;
  // The fits over the windows of the latest closed bins, by their length in bins, to the triangle
  // whose phase at the bins' start is -`shift`.
  std::array<WaveFit, LevelBins::kCount + 1> fits{};
  auto fit_windows = [&](double shift) {
    WaveFit fit;
    for (std::int64_t length = 1; length <= LevelBins::kCount; ++length) {
      const LevelBins::Bin& b = r.levels.closed(*newest + 1 - length);
      if (b.n > 0) fit.add(b.n, b.level, span * triangle(b.t / period - shift));
      fits[static_cast<std::size_t>(length)] = fit;
    }
  };
  auto flat_wins = [&](const WaveFit& fit, double triangle_residuals) {
    return fit.n >= 2 &&
           triangle_residuals - fit.flat() >
               kFlatChi2 * noise * noise + fit.n * (kFlatMismatch * span) * (kFlatMismatch * span);
  };
  // The run's own phase first: light that a constant does not explain better than that, it does
  // not explain better than the best phase either.
  fit_windows(-r.phase_at(r.levels.start()));
  std::array<bool, LevelBins::kCount + 1> may_win{};
  bool any = false;
  for (std::size_t w = kFlatShortest; w < fits.size(); ++w)
    any |= may_win[w] = flat_wins(fits[w], fits[w].wave());
  if (!any) return false;
  std::array<double, LevelBins::kCount + 1> best{};
  best.fill(std::numeric_limits<double>::max());
  for (int k = 0; k < kFlatPhases; ++k) {
    fit_windows(static_cast<double>(k) / kFlatPhases);
    for (std::size_t w = kFlatShortest; w < fits.size(); ++w) best[w] = std::min(best[w], fits[w].wave());
  }
  for (std::size_t w = kFlatShortest; w < fits.size(); ++w)
    if (may_win[w] && flat_wins(fits[w], best[w])) return true;
  return false;
}

bool BreathMatcher::leaves_colour(const LightPoint& p, const LightTrack& track) {
  Run& r = *run_;
  if (r.window_samples == 0) r.window_start = p.t;
  r.window_light = r.window_light + p.light;
  ++r.window_samples;
  if (p.t - r.window_start < kColourWindow) return false;
  const Rgb mean = r.window_light.scaled(1.0F / static_cast<float>(r.window_samples));
  const float noise = track.die_noise() / std::sqrt(static_cast<float>(r.window_samples));
  r.window_light = Rgb{};
  r.window_samples = 0;
  const float level = brightest(mean);
  // Only dim neutral light (gray) leaves a breath this way. A breath of another colour does not:
  // until it is named, the hold on solid light (mid_breath) keeps its dim peak or trough, level for a
  // second at brightness 0.2, from being named a solid light.
  const bool gray_like = colour_distance(normalised(mean), Rgb{1, 1, 1}) <= kSameColour &&
                         level <= kGrayShareOfBreath * (r.top - track.dark_level());
  if (level <= 0 || !gray_like) return false;
  return colour_distance(mean, normalised(r.light).scaled(level)) >
         kOffColourSds * noise + kOffColourShare * level;
}

bool BreathMatcher::mid_breath(const LightTrack& track) const {
  const Instant now = track.point().t;
  if (run_) return alive(run_->id, now);
  if (!last_ || last_->position == left_at_ || !last_->peak || !falling_ ||
      now - last_->t > kLongestHalfBreath)
    return false;
  // A breath falls without a step or jump. A blink's last lit phase, say, tops the smoothed light
  // just before its falling step (half a sample interval later); a breath's onset step is its peak.
  auto after_peak = [&](std::optional<Instant> t) {
    return t && *t > last_->t + track.sample_interval() / 4;
  };
  return !after_peak(track.last_step()) && !after_peak(track.last_jump());
}

bool BreathMatcher::alive(std::uint64_t run, Instant now) const {
  return run_ && run_->id == run && now - run_->last.t <= run_->period * 3 / 4;
}

}  // namespace cyanrig::led_detail
