#include "rig/led/blink_matcher.hpp"

#include <algorithm>
#include <utility>

#include "rig/led/flash_matcher.hpp"
#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

// Blinks: beyond what the edges' timing allows (each segment's slack), lit phases of one run agree
// within 5%, as do dark phases and periods; dark phases match the lit ones within 30% (a 50% duty
// cycle). Tight, so that a blink speeding up from 5 to 10 Hz is not taken for the same blink.
constexpr double kPhaseAgreement = 0.05;
constexpr double kDutyAgreement = 0.30;
constexpr double kPeriodAgreement = 0.05;
// How far beyond the naming allowance a colour may be from red (or orange, magenta) and still be held
// back as possibly part of an SOS or a cloud-error burst, so dim noisy light is held too.
constexpr double kCouldBeColourExtra = 0.15;
constexpr Duration kLongestBlinkPhase = std::chrono::seconds(2);
constexpr Duration kMinUnknownBlinkSpan = milliseconds(400);
// The first sample of the next lit phase, which completes a cycle, must be roughly the blink's colour.
constexpr float kNextCycleColour = 0.5F;
// A blink is flash-like when its period is within this of the 500 ms flash period.
constexpr double kFlashLikePeriod = 0.25;

// The default blink period within `tolerance` of either measure of a run's period (rise to rise;
// twice its dark phases), the nearest if several; else the first measure.
Duration nominal_period(Duration measured, Duration from_darks, double tolerance) {
  Duration best = measured;
  double off_by = tolerance;
  for (const Duration p : {led_periods::kBlinkSlow, led_periods::kBlinkNormal, led_periods::kBlinkFast}) {
    for (const Duration m : {measured, from_darks}) {
      const double d = std::abs(to_ms(m - p)) / to_ms(p);
      if (d <= off_by) {
        off_by = d;
        best = p;
      }
    }
  }
  return best;
}

}  // namespace

std::optional<Candidate> BlinkMatcher::on_segment(const LightSegment& s, const LightTrack& track) {
  std::optional<Candidate> c = follow(s, track);
  if (run_ && run_->named) named_until_ = run_->last_edge;
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
  r.first_lit = s.length();
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
  // The lead need not be clean: the end of a breath merged into it dims its mean. The dark must be
  // more than one reading: a single one is as likely noise dipping under the threshold on a breath's
  // way down, which with its edges' slack would pass for a 10 Hz blink's dark phase.
  const std::optional<LightSegment>& lead = before_[1];
  if (!s.clean || s.samples < 2 || s.length() > kLongestBlinkPhase || !lead || !lead->lit ||
      lead->end != s.begin)
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
                           {options_.colour_spread,
                            noise_allowance(track.die_noise(), run_->lit_samples, brightest(run_->light()))},
                           options_.period_tolerance, period_slack, held_colour(period));
  if (c.change.state == "unknown" &&
      (run_->cycles < cycles_for_unknown(period) || span < kMinUnknownBlinkSpan)) {
    return std::nullopt;
  }
  run_->named = true;
  const DefaultLedSignal* signal = find_default_led_signal(c.change.state);
  named_colour_ = signal != nullptr ? find_led_colour(signal->colour) : nullptr;
  return c;
}

// A blink run restarted right after the one named before it (a lost sample broke it) keeps that run's
// colour while the light is within the allowance of it: it is measured afresh from a few readings.
const NamedColour* BlinkMatcher::held_colour(Duration period) const {
  return named_colour_ != nullptr && run_->start - named_until_ <= 2 * period ? named_colour_ : nullptr;
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
  if (merged) return r.lead_dark->begin - half;
  // A first lit phase longer than half a period (by more than the edges' timing makes of an equal
  // one) began under light of the blink's colour: fast blinking cyan slowing to blinking cyan while
  // lit runs its last lit phase into the new one, whose rise it hides. The new blink's first lit
  // phase is half a period: it began that long before its first fall. The period is a default one
  // when near it (one cycle's measure is 10-20 ms off at 50 Hz; the first cycle's rise to rise
  // includes the hidden part, and a lost sample shortens a dark).
  const Duration period = nominal_period(r.period(), 2 * r.mean_dark(), options_.period_tolerance);
  const Duration excess = r.first_lit - period / 2;
  return excess > track.sample_interval() / 2 && excess < period / 2 ? r.start + excess : r.start;
}

// A custom blink is only named once it is longer than any default sequence it could be part of:
// an SOS code has up to 15 red dashes 600 ms apart, a cloud-error burst up to 3 flashes 500 ms apart.
int BlinkMatcher::cycles_for_unknown(Duration period) const {
  const NamedColour* colour =
      nearest_default_colour(run_->light(), {options_.colour_spread, kCouldBeColourExtra});
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

}  // namespace cyanrig::led_detail
