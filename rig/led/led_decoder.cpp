#include "rig/led/led_decoder.hpp"

#include "rig/led/blink_matcher.hpp"
#include "rig/led/breath_matcher.hpp"
#include "rig/led/flash_matcher.hpp"
#include "rig/led/led_light_track.hpp"
#include "rig/led/sos_matcher.hpp"
#include "rig/led/steady_matcher.hpp"

namespace cyanrig {

using led_detail::Candidate;
using led_detail::Source;

// Arbitration between the recognisers: a candidate becomes the reported state unless it is the
// state already shown, older than it, or the recogniser that named the current state still
// explains the light (then it waits in `pending` until that changes).
struct LedDecoder::Impl {
  explicit Impl(const Options& o) : options(o), track(o), blink(o), breath(o), steady(o) {}

  void on_point() {
    if (const std::optional<led_detail::LightSegment>& s = track.closed()) {
      // Every recogniser follows the light whatever plays; only what it names is held back then.
      offer_outside_sos(blink.on_segment(*s, track));
      offer_outside_sos(flashes.on_segment(*s, track));
      offer(sos.on_segment(*s, track));
    }
    offer_outside_sos(flashes.on_time(track));
    offer(sos.on_time(track));
    offer_outside_sos(breath.on_point(track.point(), track));
    // Steady states are offered again every block while they hold, so they need no waiting list.
    const bool breathing = breath.mid_breath(track);
    if (offer(steady.on_point(track.point(), track, breathing), false)) steady.settled();
    retry_pending();
    if (steady.take_gradual_change()) track.changed_gradually();
    track.allow_dark_learning(steady.dark_learning_ok(track));
  }

  void finish() {
    if (track.ring().next() == 0) return;
    // The light ends here: whatever is pending is named as far as it goes.
    finishing = true;
    offer_outside_sos(flashes.finish(track));
    offer(sos.finish(track));
    offer(breath.finish(track));
    const Duration explained = current ? current->longest_dark + kGapMargin : Duration{0};
    if (offer(steady.finish(track, std::max(options.off_at_start, explained)), false)) steady.settled();
  }

  // True when the candidate's state is (now) the current state.
  bool offer(std::optional<Candidate> c, bool wait_if_blocked = true) {
    if (!c) return false;
    if (current && led_detail::same_state(current->change, c->change)) {
      // The same state seen again (after a glitch, or the next play of an SOS): keep the first
      // report, follow the newer run.
      current->source = c->source;
      current->run = c->run;
      current->transient = c->transient;
      return true;
    }
    if (current && c->change.start < current->change.start) return false;
    // A recogniser renaming its own run (a breath first measured off) is not held back by it.
    const bool renames = current && current->source == c->source && current->run == c->run;
    if (current && !renames && explains_light(*current)) {
      if (wait_if_blocked && pending.size() < kMaxPending) pending.push_back(std::move(*c));
      return false;
    }
    report_dark_gap(*c);
    report(std::move(*c));
    return true;
  }

  // While an SOS plays, its pulses are none of the other patterns they can look like: its dashes
  // (300 ms on, 300 off) are not a custom red blink (codes longer than the 16 cycles one needs must
  // not turn into one; Device OS codes stop at 15) nor cloud-error flashes (250 ms), and, dim and
  // noisy, a dash and the dark after it are not a short breath ramp fitted within the noise.
  void offer_outside_sos(std::optional<Candidate> c) {
    if (!sos.engaged()) offer(std::move(c));
  }

  void retry_pending() {
    if (pending.empty() || (current && explains_light(*current))) return;
    std::vector<Candidate> waiting;
    waiting.swap(pending);
    for (Candidate& c : waiting) {
      if (c.transient || explains_light(c)) offer(std::move(c), false);
    }
  }

  // Whether the run that showed `c` still follows the light.
  bool explains_light(const Candidate& c) const {
    const Instant now = track.point().t;
    if (c.transient || finishing) return false;
    // Whatever its recogniser still expects (a breath may turn up again at its next peak), dark
    // longer than any the state shows is not the state: `off` after a breath is not held back.
    if (const std::optional<Duration> dark = steady.dark_for(track);
        dark && *dark > c.longest_dark + kGapMargin) {
      return false;
    }
    switch (c.source) {
      case Source::blink:
        return blink.alive(c.run, now, track.sample_interval());
      case Source::sos:
        return sos.alive(c.run, now);
      case Source::breath:
        return breath.alive(c.run, now);
      case Source::steady:
        return steady.alive(c.run, track);
      case Source::flashes:
      case Source::gap:
        return false;
    }
    return false;
  }

  // A dark stretch right before the new state that the state before it cannot explain (longer than
  // its own dark phases; at the start of a trace, longer than off_at_start) was `off`, even if it
  // was shorter than off_after.
  void report_dark_gap(const Candidate& next) {
    if (next.change.state == "off" || (current && current->change.state == "off")) return;
    const std::optional<led_detail::SteadyMatcher::DarkStretch> gap =
        steady.dark_ending_near(next.change.start, kGapReach, track);
    if (!gap) return;
    if (current && gap->start < current->change.start) return;
    const Duration explained = current ? current->longest_dark + kGapMargin : options.off_at_start;
    if (gap->end - gap->start < explained) return;
    Candidate off;
    off.change.start = gap->start;
    off.change.recognised = track.point().t;
    off.change.state = "off";
    off.source = Source::gap;
    off.transient = true;
    report(std::move(off));
  }

  void report(Candidate c) {
    if (c.source == Source::blink || c.source == Source::breath || c.source == Source::flashes ||
        c.source == Source::sos) {
      steady.saw_pattern_light(track.contrast());
    }
    out->push_back(c.change);
    current = std::move(c);
  }

  static constexpr std::size_t kMaxPending = 4;
  static constexpr Duration kGapReach = std::chrono::milliseconds(200);
  static constexpr Duration kGapMargin = std::chrono::milliseconds(100);

  Options options;
  led_detail::LightTrack track;
  led_detail::BlinkMatcher blink;
  led_detail::FlashMatcher flashes;
  led_detail::SosMatcher sos;
  led_detail::BreathMatcher breath;
  led_detail::SteadyMatcher steady;
  std::optional<Candidate> current;
  std::vector<Candidate> pending;
  std::vector<LedStateChange>* out = nullptr;
  bool finishing = false;
};

LedDecoder::LedDecoder() : LedDecoder(Options{}) {}
LedDecoder::LedDecoder(const Options& options) : impl_(std::make_unique<Impl>(options)) {}
LedDecoder::~LedDecoder() = default;
LedDecoder::LedDecoder(LedDecoder&&) noexcept = default;
LedDecoder& LedDecoder::operator=(LedDecoder&&) noexcept = default;

std::vector<LedStateChange> LedDecoder::feed(std::span<const RgbSample> samples) {
  std::vector<LedStateChange> changes;
  impl_->out = &changes;
  for (const RgbSample& s : samples) {
    if (impl_->track.add(s)) impl_->on_point();
  }
  impl_->out = nullptr;
  return changes;
}

std::vector<LedStateChange> LedDecoder::finish() {
  std::vector<LedStateChange> changes;
  impl_->out = &changes;
  impl_->finish();
  impl_->out = nullptr;
  return changes;
}

}  // namespace cyanrig
