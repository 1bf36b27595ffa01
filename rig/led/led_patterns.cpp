#include "rig/led/led_patterns.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

// Blinks: beyond what the edges' timing allows (each segment's slack), lit phases of one run agree
// within 5%, as do dark phases and periods; dark phases match the lit ones within 30% (a 50% duty
// cycle). Tight, so that a blink speeding up from 5 to 10 Hz is not taken for the same blink.
constexpr double kPhaseAgreement = 0.05;
constexpr double kDutyAgreement = 0.30;
constexpr double kPeriodAgreement = 0.05;
// Colours of one pattern agree within this (largest channel difference, normalised).
constexpr float kSameColour = 0.3F;
// Two custom states are the same when their periods agree within this (measured afresh, so
// looser than within a run).
constexpr double kSameUnknownPeriod = 0.2;
// How far a colour may be from red (or orange, magenta) and still be held back as possibly part of
// an SOS or a cloud-error burst: wider than the naming tolerance, so dim noisy light is held too.
constexpr double kCouldBeColour = 0.35;
constexpr Duration kLongestBlinkPhase = std::chrono::seconds(2);
constexpr Duration kMinUnknownBlinkSpan = milliseconds(400);
// The first sample of the next lit phase, which completes a cycle, must be roughly the blink's colour.
constexpr float kNextCycleColour = 0.5F;
// A blink is flash-like when its period is within this of the 500 ms flash period.
constexpr double kFlashLikePeriod = 0.25;

constexpr Duration kFlash = led_periods::kCloudErrorFlash;
constexpr Duration kFlashTolerance = milliseconds(40);  // beyond the edges' own slack
// Flashes are short, so their colour is measured from few samples: a little looser than naming.
constexpr double kFlashColourTolerance = 0.25;
constexpr int kMaxFlashes = 3;

// panic.c: dots 150 ms, dashes 300 ms, 100 ms apart, +100 ms between letters, +900 ms after the
// second S; code dashes 300 ms apart, +800 ms after the last.
struct Pulse {
  Duration lit, dark;
};
constexpr std::array<Pulse, 9> kSosPrefix{{
    {milliseconds(150), milliseconds(100)},
    {milliseconds(150), milliseconds(100)},
    {milliseconds(150), milliseconds(200)},
    {milliseconds(300), milliseconds(100)},
    {milliseconds(300), milliseconds(100)},
    {milliseconds(300), milliseconds(200)},
    {milliseconds(150), milliseconds(100)},
    {milliseconds(150), milliseconds(100)},
    {milliseconds(150), milliseconds(1000)},
}};
constexpr Duration kSosDot = milliseconds(150);
constexpr Duration kSosDash = milliseconds(300);
constexpr Duration kSosCodeGap = milliseconds(300);
constexpr Duration kSosEndGap = milliseconds(300 + 800);
// The code has ended once the gap after a dash is this much longer than the gap between dashes.
constexpr Duration kSosCodeEndMargin = milliseconds(150);
// Longest dark stretch inside a repeating SOS, with margin.
constexpr Duration kSosLongestDark = milliseconds(1250);

// Breathing: an extreme is confirmed once the smoothed level has moved this fraction of the
// contrast away from it.
constexpr float kTurn = 0.2F;
constexpr Duration kMinRamp = milliseconds(300);
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
// Sums for least-squares fits of light (in bins of `count` points) to a constant and to a wave
// shape, each with its best offset.
struct WaveFit {
  double n = 0, y = 0, yy = 0, w = 0, ww = 0, yw = 0;
  void add(double count, double level, double wave) {
    n += count;
    y += count * level;
    yy += count * level * level;
    w += count * wave;
    ww += count * wave * wave;
    yw += count * level * wave;
  }
  double flat() const { return yy - y * y / n; }  // squared residuals
  double wave() const { return yy - 2 * yw + ww - (y - w) * (y - w) / n; }
};
// A triangle wave of period 1: full at whole numbers, zero halfway.
double triangle(double u) {
  double fraction = u - static_cast<double>(static_cast<std::int64_t>(u));  // cheaper than floor
  if (fraction < 0) fraction += 1;
  return std::abs(2 * fraction - 1);
}
// Half of the slowest breath looked for (8 s custom themes), with margin.
constexpr Duration kLongestHalfBreath = milliseconds(4500);
// Ramps of one breathing run agree on the period within this.
constexpr double kBreathAgreement = 0.3;
// A peak within this of a rising step is the step itself (a breath starts at full brightness).
constexpr Duration kOnsetReach = milliseconds(500);
constexpr float kOnsetJump = 0.25F;
// What a breath's ramp may deviate from a straight line beyond the noise, as a fraction of contrast.
constexpr double kRampWobble = 0.05;
// A breath's ramp covers at least kRampMinSpan of the contrast, starts (or ends) above kRampMinTop;
// a full one reaches within kRampNearDark of dark. Its colour is taken above kRampColourAbove.
constexpr double kRampMinSpan = 0.25;
constexpr double kRampMinTop = 0.6;
constexpr double kRampNearDark = 0.2;
constexpr float kRampColourAbove = 0.3F;

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
constexpr float kDarkLevelSamples = 128;  // what LightTrack averages the dark level over
// Light this close to the dark level is dark whatever the averaging says: the dark level itself is
// an estimate.
constexpr float kDarkFloorSds = 0.5F;
// The dark level may be learned during the short steady stretches of a pattern's dark phases.
constexpr Duration kPatternDarkPhase = milliseconds(400);

Duration abs_duration(Duration d) {
  return d < Duration{0} ? -d : d;
}
bool near(Duration measured, Duration expected, Duration tolerance) {
  return abs_duration(measured - expected) <= tolerance;
}
bool near_fraction(Duration measured, Duration expected, double fraction, Duration slack) {
  return abs_duration(measured - expected) <=
         std::chrono::duration_cast<Duration>(expected * fraction) + slack;
}
Duration seconds_to_duration(double s) {
  return Duration{static_cast<Duration::rep>(std::llround(s * 1e6))};
}
double to_s(Duration d) {
  return std::chrono::duration<double>(d).count();
}

LedStateChange change_for(std::string_view state, Instant start, Instant now) {
  LedStateChange c;
  c.start = start;
  c.recognised = now;
  c.state = std::string(state);
  return c;
}

LedStateChange unknown_change(Instant start, Instant now, Rgb light, std::optional<Duration> period) {
  LedStateChange c = change_for("unknown", start, now);
  const Rgb rgb = normalised(light);
  c.rgb = Rgb{std::max(rgb.r, 0.0F), std::max(rgb.g, 0.0F), std::max(rgb.b, 0.0F)};  // noise dips below dark
  c.period = period;
  return c;
}

bool is_colour(const NamedColour* c, std::string_view name) {
  return c != nullptr && c->name == name;
}
bool is_flash_colour(const NamedColour* c) {
  return is_colour(c, "red") || is_colour(c, "orange") || is_colour(c, "magenta");
}

// How far a measured colour may be from a default one: `base` plus what the light's noise allows
// (3 sd of the mean of `samples` readings and of the dark level, relative to the light's `level`),
// so dim light measured over few samples is still named.
double colour_tolerance_for(double base, float channel_noise, int samples, float level) {
  const float uncertainty = channel_noise * (1 / std::sqrt(static_cast<float>(std::max(samples, 1))) +
                                             1 / std::sqrt(kDarkLevelSamples));
  return base + 3 * uncertainty / std::max(level, 1e-9F);
}

// A default signal of `pattern` when colour and period match, else `unknown` with what was measured.
// `period_slack`: how far the measured period may be off through the edges' timing alone.
LedStateChange name_periodic(LedPattern pattern, Rgb light, Duration period, Instant start, Instant now,
                             double colour_tolerance, double period_tolerance,
                             Duration period_slack = Duration{0}) {
  const NamedColour* colour = nearest_default_colour(light, colour_tolerance);
  if (colour != nullptr) {
    if (const DefaultLedSignal* signal =
            find_default_signal(pattern, colour->name, period, period_tolerance, period_slack)) {
      return change_for(signal->state, start, now);
    }
  }
  return unknown_change(start, now, light, period);
}

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

bool same_state(const LedStateChange& a, const LedStateChange& b) {
  if (a.state != b.state || a.code != b.code || a.colour != b.colour || a.count != b.count) return false;
  if (a.rgb.has_value() != b.rgb.has_value() || a.period.has_value() != b.period.has_value()) return false;
  if (a.rgb && colour_distance(*a.rgb, *b.rgb) > kSameColour) return false;
  return !a.period || near_fraction(*b.period, *a.period, kSameUnknownPeriod, Duration{0});
}

// ---------------------------------------------------------------------------------------------
// BlinkMatcher

std::optional<Candidate> BlinkMatcher::on_segment(const LightSegment& s, const LightTrack& track) {
  std::optional<Candidate> c = follow(s, track);
  before_[0] = before_[1];
  before_[1] = s;
  return c;
}

// Each phase is compared with the run's averages within a few percent plus what its edges' timing
// allows (its slack) plus `margin` for the averages' own error.
std::optional<Candidate> BlinkMatcher::follow(const LightSegment& s, const LightTrack& track) {
  const Duration margin = track.sample_interval() / 4;
  if (s.lit) {
    if (run_ && !run_->expect_dark && lit_fits(s, margin)) {
      run_->lit_sum += s.length();
      ++run_->lits;
      run_->light_sum = run_->light_sum + s.light;
      run_->lit_samples += s.samples;
      run_->expect_dark = true;
      run_->last_edge = s.end;
      // A lit phase as long as the dark before it confirms a blink whose first lit phase was hidden.
      if (std::exchange(run_->lit_assumed, false)) return try_name(track);
    } else {
      start_run(s);
    }
    return std::nullopt;
  }
  // A lit phase clearly longer than the dark after it may be a new blink's first lit phase merged
  // with the light before (5 Hz turning 10 Hz while lit, say). On a run's first cycle that reading
  // comes first (the 30% duty-cycle allowance would take the merged phase for the blink's own);
  // later, only when the dark does not fit the run.
  const bool fits = run_ && run_->expect_dark && dark_fits(s, margin);
  const bool first_cycle = !run_ || run_->cycles == 0;
  // The lit phase before this dark was one of a blink that had been named, and this dark does not
  // fit it: a new blink may have begun within that phase, however long it measured.
  const bool lead_ended_run = run_ && run_->named && run_->expect_dark && run_->last_edge == s.begin && !fits;
  const bool merged = (first_cycle || !fits) && start_run_on_merged_lit(s, margin, lead_ended_run);
  if (!merged && !fits) {
    run_.reset();
    return std::nullopt;
  }
  const Duration period = s.end - run_->last_rise;
  const Duration period_slack = run_->last_rise_slack + s.end_slack + margin;
  if (run_->cycles > 0 && !near_fraction(period, run_->period(), kPeriodAgreement, period_slack)) {
    run_.reset();
    return std::nullopt;
  }
  run_->dark_sum += s.length();
  ++run_->darks;
  run_->period_sum += period;
  ++run_->cycles;
  run_->last_rise = s.end;
  run_->last_rise_slack = s.end_slack;
  run_->last_edge = s.end;
  run_->expect_dark = false;
  return try_name(track);
}

void BlinkMatcher::start_run(const LightSegment& s) {
  if (!s.flat || !s.clean || s.length() > kLongestBlinkPhase) {
    run_.reset();
    return;
  }
  Run r;
  r.id = next_id_++;
  r.start = r.last_rise = s.begin;
  r.first_rise_slack = r.last_rise_slack = s.begin_slack;
  r.lead_lit = before_[0];
  r.lead_dark = before_[1];
  r.last_edge = s.end;
  r.lit_sum = s.length();
  r.lits = 1;
  r.light_sum = s.light;
  r.lit_samples = s.samples;
  r.expect_dark = true;
  run_ = r;
}

// A blink that began while the light was already on (a breath, or a blink of the same colour lit at
// the change) has no rising edge of its own: its first lit phase merged with the light before, and
// the first thing seen of it is a dark phase. Taken as a blink whose first lit phase was as long as
// that dark (a 50% duty cycle), it is named one period after it began, like any other blink, rather
// than a period later. (The period must still be a default one; a custom blink waits as ever.)
bool BlinkMatcher::start_run_on_merged_lit(const LightSegment& s, Duration margin, bool lead_ended_run) {
  // The lead need not be clean: the end of a breath merged into it dims its mean.
  const std::optional<LightSegment>& lead = before_[1];
  if (!s.clean || s.length() > kLongestBlinkPhase || !lead || !lead->lit || lead->end != s.begin)
    return false;
  // Not longer than the dark: a lit phase of its own, not a merged one. When the lead was a phase
  // of the blink this dark has just ended, either reading dates the new blink alike (a lit phase of
  // its own is as long as the dark), and the lengths often cannot tell: at 50 Hz a 10 Hz blink's
  // 50 ms merged with a few ms of the light before is within the edges' slack of its dark.
  const bool longer = lead->length() > s.length() + s.slack() + lead->slack() + margin;
  if (!longer && !lead_ended_run) return false;
  Run r;
  // After a blink's lit phase the short dark may as well be that blink's own, cut short by a pattern
  // that starts lit (a breath at full brightness): the next lit phase must match it first. That
  // costs half a period, which such a blink can afford: it shows nothing new before this dark.
  r.lit_assumed = lead_ended_run;
  r.id = next_id_++;
  r.start = r.last_rise = s.begin - s.length();
  r.first_rise_slack = r.last_rise_slack = s.begin_slack + s.slack();
  r.last_edge = s.begin;
  r.lit_sum = s.length();
  r.lits = 1;
  r.light_sum = lead->light;
  r.lit_samples = lead->samples;
  r.expect_dark = true;
  run_ = r;
  return true;
}

bool BlinkMatcher::lit_fits(const LightSegment& s, Duration margin) const {
  return s.flat && s.clean &&
         near_fraction(s.length(), run_->mean_lit(), kPhaseAgreement, s.slack() + margin) &&
         colour_distance(normalised(s.light), normalised(run_->light())) <= kSameColour;
}

bool BlinkMatcher::dark_fits(const LightSegment& s, Duration margin) const {
  return s.clean && near_fraction(s.length(), run_->mean_lit(), kDutyAgreement, s.slack() + margin) &&
         (run_->darks == 0 ||
          near_fraction(s.length(), run_->mean_dark(), kPhaseAgreement, s.slack() + margin));
}

std::optional<Candidate> BlinkMatcher::try_name(const LightTrack& track) {
  if (run_->named || run_->lit_assumed) return std::nullopt;
  const LightPoint& now = track.point();
  // When a cycle ended with this rising edge, the light it rises to must be the blink's colour (a
  // red flash after a cyan blink is not another cyan cycle).
  const bool at_rise = !run_->expect_dark;
  if (at_rise && colour_distance(normalised(now.light), normalised(run_->light())) > kNextCycleColour)
    return std::nullopt;
  // What the run has shown, as long as the edges' timing allows: a blink read from its first dark
  // phase (start_run_on_merged_lit) spans twice that dark, which at 50 Hz measures 40-60 ms of a
  // 10 Hz blink's 50 ms.
  const Duration span = run_->last_rise - run_->start;
  if (span + run_->first_rise_slack + run_->last_rise_slack < options_.min_blink_span) return std::nullopt;

  const Duration period = run_->period();
  Candidate c;
  c.source = Source::blink;
  c.run = run_->id;
  c.longest_dark = run_->mean_dark() * 3 / 2 + 2 * track.sample_interval();
  // The first and last rising edges bound the cycles: a single 10 Hz cycle read at 50 Hz may be
  // 20% long through sample timing alone.
  const Duration period_slack = (run_->first_rise_slack + run_->last_rise_slack) / run_->cycles;
  c.change = name_periodic(LedPattern::blink, run_->light(), period, first_edge(track), now.t,
                           colour_tolerance_for(options_.colour_tolerance, track.channel_noise(),
                                                run_->lit_samples, brightest(run_->light())),
                           options_.period_tolerance, period_slack);
  if (c.change.state == "unknown" &&
      (run_->cycles < cycles_for_unknown(period) || span < kMinUnknownBlinkSpan)) {
    return std::nullopt;
  }
  run_->named = true;
  return c;
}

// A blink that began while the light was already on shows no edge of its own: its first lit phase
// merged with the last one of the pattern before (same colour, longer than half a period) and the
// dark after it is the blink's. Then the blink began half a period before that dark.
Instant BlinkMatcher::first_edge(const LightTrack& track) const {
  const Run& r = *run_;
  if (!r.lead_lit || !r.lead_dark || !r.lead_lit->lit || r.lead_dark->lit) return r.start;
  const Duration half = r.period() / 2;
  const Duration margin = track.sample_interval() / 4;
  const bool merged =
      r.lead_dark->end == r.start &&
      near_fraction(r.lead_dark->length(), half, kPhaseAgreement, r.lead_dark->slack() + margin) &&
      r.lead_lit->clean && r.lead_lit->length() > half + r.lead_lit->slack() &&
      colour_distance(normalised(r.lead_lit->light), normalised(r.light())) <= kSameColour;
  return merged ? r.lead_dark->begin - half : r.start;
}

// A custom blink is only named once it is longer than any default sequence it could be part of:
// an SOS code has up to 15 red dashes 600 ms apart, a cloud-error burst up to 3 flashes 500 ms apart.
int BlinkMatcher::cycles_for_unknown(Duration period) const {
  const NamedColour* colour = nearest_default_colour(run_->light(), kCouldBeColour);
  if (is_colour(colour, "red")) return 16;
  if (is_flash_colour(colour) && near_fraction(period, 2 * kFlash, kFlashLikePeriod, Duration{0})) {
    return kMaxFlashes + 1;
  }
  return 2;
}

bool BlinkMatcher::alive(std::uint64_t run, Instant now, Duration interval) const {
  if (!run_ || run_->id != run) return false;
  const Duration longest = std::max(run_->mean_lit(), run_->darks > 0 ? run_->mean_dark() : run_->mean_lit());
  return now - run_->last_edge <= longest * 3 / 2 + 2 * interval;
}

// ---------------------------------------------------------------------------------------------
// FlashMatcher

bool FlashMatcher::is_flash(const LightSegment& s) const {
  return s.lit && s.flat && s.clean && near(s.length(), kFlash, kFlashTolerance + s.slack()) &&
         is_flash_colour(nearest_default_colour(s.light, kFlashColourTolerance));
}

std::optional<Candidate> FlashMatcher::on_segment(const LightSegment& s, const LightTrack& track) {
  const Instant now = track.point().t;
  if (s.lit) {
    if (!is_flash(s)) return end_burst(now);
    const NamedColour* colour = nearest_default_colour(s.light, kFlashColourTolerance);
    if (burst_ && burst_->gap_seen && burst_->colour == colour) {
      ++burst_->count;
      burst_->gap_seen = false;
      burst_->last_flash_end = s.end;
      return std::nullopt;
    }
    std::optional<Candidate> ended = end_burst(now);
    burst_ = Burst{s.begin, s.end, colour, 1, false};
    return ended;
  }
  if (!burst_) return std::nullopt;
  if (s.clean && near(s.length(), kFlash, kFlashTolerance + s.slack())) {
    burst_->gap_seen = true;
    return std::nullopt;
  }
  if (s.length() < kFlash) {  // too short a gap: these were not flashes
    burst_.reset();
    return std::nullopt;
  }
  return end_burst(now);
}

std::optional<Candidate> FlashMatcher::on_time(const LightTrack& track) {
  if (!burst_ || track.point().lit) return std::nullopt;
  if (track.point().t - burst_->last_flash_end <= kFlash + kFlashTolerance + 2 * track.sample_interval()) {
    return std::nullopt;
  }
  return end_burst(track.point().t);
}

std::optional<Candidate> FlashMatcher::end_burst(Instant now) {
  if (!burst_) return std::nullopt;
  const Burst b = *burst_;
  burst_.reset();
  if (b.count > kMaxFlashes) return std::nullopt;
  Candidate c;
  c.change = change_for("cloud_error", b.start, now);
  c.change.colour = std::string(b.colour->name);
  c.change.count = b.count;
  c.source = Source::flashes;
  c.longest_dark = kFlash * 3 / 2;
  c.transient = true;
  return c;
}

// ---------------------------------------------------------------------------------------------
// SosMatcher

namespace {

bool is_red_pulse(const LightSegment& s) {
  return s.lit && s.flat && s.clean &&
         is_colour(nearest_default_colour(s.light, kFlashColourTolerance), "red");
}

// Beyond the edges' own slack: dots and dashes differ by 150 ms, gaps by 100 ms.
constexpr Duration kSosPulseTolerance = milliseconds(40);
constexpr Duration kSosGapTolerance = milliseconds(30);
constexpr Duration kSosLongGapTolerance = milliseconds(200);

bool sos_gap_fits(const LightSegment& s, Duration expected) {
  return near(s.length(), expected,
              (expected >= std::chrono::seconds(1) ? kSosLongGapTolerance : kSosGapTolerance) + s.slack());
}

}  // namespace

std::optional<Candidate> SosMatcher::on_segment(const LightSegment& s, const LightTrack& track) {
  const Duration lit_tolerance = kSosPulseTolerance + s.slack();
  // A dot-gap of dark after light: the light before may have hidden an SOS's first dot.
  const bool after_dot_gap =
      std::exchange(dot_gap_, !s.lit && s.clean && sos_gap_fits(s, kSosPrefix[0].dark));
  if (s.lit) {
    if (play_ && !play_->expect_dark && !play_->ended && is_red_pulse(s)) {
      const bool in_code = play_->pulse >= kSosPrefix.size();
      const Duration expected = in_code ? kSosDash : kSosPrefix[play_->pulse].lit;
      if (near(s.length(), expected, lit_tolerance)) {
        play_->expect_dark = true;
        play_->last_edge = s.end;
        if (in_code) ++play_->code;
        return std::nullopt;
      }
    }
    begin_play(s, lit_tolerance, after_dot_gap);
    return std::nullopt;
  }
  if (!play_ || !play_->expect_dark) return std::nullopt;
  if (!s.clean) {
    play_.reset();
    return std::nullopt;
  }
  Play& p = *play_;
  p.expect_dark = false;
  p.last_edge = s.end;
  if (p.pulse < kSosPrefix.size()) {
    if (sos_gap_fits(s, kSosPrefix[p.pulse].dark)) {
      ++p.pulse;
    } else if (p.pulse == 1 && p.first_dot_hidden && sos_gap_fits(s, kSosPrefix[2].dark)) {
      // Two dots, then the gap between letters: these were the second and third dots, the first
      // having merged with the light before (solid gray stepping up to red, say).
      p.pulse = 3;
      p.start -= kSosPrefix[0].lit + kSosPrefix[0].dark;
    } else {
      play_.reset();
    }
    return std::nullopt;
  }
  if (sos_gap_fits(s, kSosCodeGap)) return std::nullopt;
  if (p.code >= 1 && sos_gap_fits(s, kSosEndGap)) {
    p.ended = true;
    return p.named ? std::nullopt : name(track.point().t);
  }
  play_.reset();
  return std::nullopt;
}

// A dot after a completed play is the next play of the same SOS; any other dot starts a new one.
void SosMatcher::begin_play(const LightSegment& s, Duration tolerance, bool after_dot_gap) {
  const bool follows = play_ && play_->ended;
  const std::uint64_t run = follows ? play_->run : next_run_++;
  play_.reset();
  if (!is_red_pulse(s) || !near(s.length(), kSosDot, tolerance)) return;
  Play p;
  p.run = run;
  p.start = s.begin;
  p.last_edge = s.end;
  p.expect_dark = true;
  p.first_dot_hidden = after_dot_gap && !follows;
  play_ = p;
}

std::optional<Candidate> SosMatcher::on_time(const LightTrack& track) {
  if (!play_ || play_->named || !play_->expect_dark || play_->code < 1 || track.point().lit)
    return std::nullopt;
  if (track.point().t - play_->last_edge < kSosCodeGap + kSosCodeEndMargin) return std::nullopt;
  return name(track.point().t);
}

std::optional<Candidate> SosMatcher::finish(const LightTrack& track) {
  if (!play_ || play_->named || play_->code < 1) return std::nullopt;
  return name(track.point().t);
}

std::optional<Candidate> SosMatcher::name(Instant now) {
  play_->named = true;
  Candidate c;
  c.change = change_for("sos", play_->start, now);
  c.change.code = play_->code;
  c.source = Source::sos;
  c.run = play_->run;
  c.longest_dark = kSosLongestDark;
  return c;
}

bool SosMatcher::alive(std::uint64_t run, Instant now) const {
  return play_ && play_->run == run && now - play_->last_edge <= kSosLongestDark;
}

// ---------------------------------------------------------------------------------------------
// BreathMatcher

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
  const std::optional<Instant> step = track.last_step();
  const std::optional<Instant> jump = track.last_jump();
  if (run_ && ((step && *step > run_->last.t) || (jump && *jump > run_->last.t) || leaves_run(p))) {
    run_.reset();
    last_.reset();
  }
  if (run_ && (leaves_colour(p, track) || turns_flat(p, track))) {
    // The extreme the run last reached is kept: the light may be a breath of another colour, named
    // at its next extreme as before. Only no breath is under way meanwhile (mid_breath).
    run_.reset();
    left_at_ = last_ ? std::optional<std::uint64_t>(last_->position) : std::nullopt;
  }
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
    if (after - before > jump) {
      peak.t = ring.at(pos - 1).t + (ring.at(pos).t - ring.at(pos - 1).t) / 2;
      peak.position = pos;
      return peak;
    }
  }
  return peak;
}

std::optional<Candidate> BreathMatcher::on_extreme(Extreme e, const LightTrack& track) {
  const std::optional<Extreme> from = last_;
  last_ = e;
  if (!from) return std::nullopt;
  return on_ramp(fit_ramp(*from, e, track), track);
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
  Rgb light;
  int lit = 0;
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
    if (p.level > dark + kRampColourAbove * contrast) {
      light = light + p.light;
      ++lit;
    }
  }
  const double det = n * sxx - sx * sx;
  if (n < 8 || det <= 0 || lit == 0) return r;
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
  r.light = light.scaled(1.0F / static_cast<float>(lit));
  return r;
}

std::optional<Candidate> BreathMatcher::on_ramp(const Ramp& r, const LightTrack& track) {
  const Instant now = track.point().t;
  const bool continues_run = run_ && r.from.position == run_->last.position;
  bool recoloured = false;
  if (continues_run) {
    const bool same_colour = colour_distance(normalised(r.light), normalised(run_->light)) <= kSameColour;
    const bool fits = r.breath_like && r.full &&
                      near_fraction(r.period, run_->period, kBreathAgreement, Duration{0}) && same_colour;
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
    Candidate c = name(r.from.t, r.period, r.light, now, true);
    c.transient = true;
    return c;
  }
  run_ = Run{next_id_++, r.from.t, r.period, r.light, r.to, 0};
  run_->take_levels(r);
  run_->levels = LevelBins(now);
  const Rgb colour = normalised(r.light);
  const float squares = dot_product(colour, colour);
  run_->along = squares > 0 ? colour.scaled(1.0F / squares) : Rgb{};
  Candidate c = name(r.from.t, r.period, r.light, now, false);
  c.run = run_->id;
  run_->named_default = c.change.state != "unknown";
  run_->named = !straddles || run_->named_default;
  if (run_->named) return c;
  run_->start = r.to.t;  // where the light is known to be the new breath
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
  c.change = name_periodic(LedPattern::breathe, light, period, start, now, options_.colour_tolerance,
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

std::optional<std::int64_t> LevelBins::add(Instant t, double level) {
  const std::int64_t number = (t - start_) / kWidth;
  std::optional<std::int64_t> closed;
  if (number != open_) {
    if (open_ >= 0) {
      Bin& last = slot(open_);
      if (last.n > 0) last = {last.n, last.t / last.n, last.level / last.n};
      closed = open_;
    }
    for (std::int64_t i = std::max(open_ + 1, number - kSlots + 1); i <= number; ++i) slot(i) = {};
    open_ = number;
  }
  Bin& bin = slot(number);
  bin.n += 1;
  bin.t += to_s(t - start_);
  bin.level += level;
  return closed;
}

const LevelBins::Bin& LevelBins::closed(std::int64_t number) const {
  if (number < 0 || number >= open_ || number < open_ - kCount) return empty_;
  return bins_[static_cast<std::size_t>(number % kSlots)];
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
  const double noise = track.channel_noise() * std::sqrt(dot_product(a, a));
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
  const float noise = track.channel_noise() / std::sqrt(static_cast<float>(r.window_samples));
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

// ---------------------------------------------------------------------------------------------
// SteadyMatcher

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
  } else {
    // The old run ends at the first step after its last point, the new one begins at the last step
    // (a blink in between belongs to neither). Without a step, the points say where the light
    // changed (edges do not: noise over dim light makes them).
    const std::optional<Instant> first_change = track.first_step_since(run_.last_t);
    const std::optional<Instant> last_change = track.last_step();
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
  const Rgb light = run_.mean() - track.dark();
  const float level = brightest(light);
  const NamedColour* colour = nearest_default_colour(
      light, colour_tolerance_for(options_.colour_tolerance, track.channel_noise(), run_.samples, level));
  const bool neutral = is_colour(colour, "white") || is_colour(colour, "gray");
  const bool dim =
      pattern_light_ <= 0 || level <= static_cast<float>(options_.gray_max_level) * pattern_light_;
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
