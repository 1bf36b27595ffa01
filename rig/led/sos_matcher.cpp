#include "rig/led/sos_matcher.hpp"

#include <array>
#include <utility>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

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
// Pulses are short, so their colour is measured from few samples: a little looser than naming.
constexpr ColourAllowance kPulseColour{0.35, 0.05};

bool is_red_pulse(const LightSegment& s, const LightTrack& track) {
  return s.lit && s.flat && s.clean &&
         is_colour(nearest_default_colour(
                       s.light, with_noise(kPulseColour, track.die_noise(), s.samples, brightest(s.light))),
                   "red");
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
    if (play_ && !play_->expect_dark && !play_->ended && is_red_pulse(s, track)) {
      const bool in_code = play_->pulse >= kSosPrefix.size();
      const Duration expected = in_code ? kSosDash : kSosPrefix[play_->pulse].lit;
      if (near(s.length(), expected, lit_tolerance)) {
        play_->expect_dark = true;
        play_->last_edge = s.end;
        if (in_code) ++play_->code;
        return std::nullopt;
      }
    }
    begin_play(s, track, lit_tolerance, after_dot_gap);
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
void SosMatcher::begin_play(const LightSegment& s, const LightTrack& track, Duration tolerance,
                            bool after_dot_gap) {
  const bool follows = play_ && play_->ended;
  const std::uint64_t run = follows ? play_->run : next_run_++;
  play_.reset();
  if (!is_red_pulse(s, track) || !near(s.length(), kSosDot, tolerance)) return;
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

}  // namespace cyanrig::led_detail
