// Internal to the LED decoder: breathing (Device OS "fade": a linear triangle, full brightness at
// t=0, zero at half the period; particle-reference.md section 2), default or custom, read from the
// smoothed light's extremes and the straight ramps between them.
#pragma once

#include <cstdint>
#include <optional>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"
#include "rig/led/level_bins.hpp"

namespace cyanrig::led_detail {

// Breathing: linear ramps between full brightness and dark (Device OS "fade"). Named at the first
// trough from the slope of the falling ramp; a breath cut short is named when it is interrupted.
class BreathMatcher {
 public:
  explicit BreathMatcher(const LedDecoderOptions& options) : options_(options) {}
  std::optional<Candidate> on_point(const LightPoint& p, const LightTrack& track);
  std::optional<Candidate> finish(const LightTrack& track);
  bool alive(std::uint64_t run, Instant now) const;
  // A breath may be under way: a run is alive, or the light has been falling from a peak for less
  // than half a slow breath without stepping since. Steady light is not named meanwhile (the bottom
  // of a breath is steady for a while).
  bool mid_breath(const LightTrack& track) const;

 private:
  struct Extreme {
    Instant t;
    std::uint64_t position = 0;
    float level = 0;
    bool peak = false;
    // A peak whose onset was the rise of a blink's lit phase (note_blink_before): the breath began
    // within `merged_within` of it, where its line stands at the blink's lit reading `full`.
    Duration merged_within{0};
    Rgb full;
  };
  struct Ramp {
    Extreme from, to;
    Instant start;  // when the breath began: from.t, or later within a merged lit phase
    bool breath_like = false;
    bool full = false;          // reached (close to) dark or full at both ends
    float top = 0, bottom = 0;  // the fitted line's level at its peak and trough ends
    Duration period{0};
    Rgb light;
  };
  struct Run {
    std::uint64_t id = 0;
    Instant start;
    Duration period{0};
    Rgb light;
    Extreme last;
    int misfits = 0;                   // ramps in a row that did not fit the run
    std::optional<Instant> off_since;  // the light left its triangle (leaves_run)
    float top = 0, bottom = 0;         // the levels of its latest fitting ramp's ends
    void take_levels(const Ramp& r) {
      top = r.top;
      bottom = r.bottom;
    }
    // Where the run's triangle is at `t`, in periods: whole at full brightness, halfway at dark.
    double phase_at(Instant t) const;
    bool named_default = false;
    bool named = true;  // a candidate was offered (see on_ramp)
    // The light summed over the current colour window (leaves_colour).
    Rgb window_light;
    int window_samples = 0;
    Instant window_start;
    // The light along its colour since it was named (turns_flat).
    LevelBins levels;
    Rgb along;  // weights of the channels that give that light
    std::int64_t next_flat_check = 0;
  };
  std::optional<Candidate> on_extreme(Extreme e, const LightTrack& track);
  std::optional<Candidate> on_cut(std::optional<Instant> step, std::optional<Instant> jump,
                                  const LightTrack& track);
  Extreme with_onset(Extreme peak, const LightTrack& track) const;
  void note_blink_before(Extreme& peak, const LightTrack& track) const;
  Ramp fit_ramp(const Extreme& from, const Extreme& to, const LightTrack& track) const;
  Instant merged_start(const Extreme& from, Duration length, double slope, double intercept,
                       const LightTrack& track) const;
  Rgb ramp_colour(const Extreme& from, Duration length, double slope, double intercept,
                  const LightTrack& track) const;
  std::optional<Candidate> on_ramp(const Ramp& r, const LightTrack& track);
  std::optional<Candidate> rename(const Ramp& r, Instant now);
  bool leaves_run(const LightPoint& p);
  bool turns_flat(const LightPoint& p, const LightTrack& track);
  bool leaves_colour(const LightPoint& p, const LightTrack& track);
  Candidate name(Instant start, Duration period, Rgb light, Instant now, bool cut_short) const;

  LedDecoderOptions options_;
  bool falling_ = true;
  std::optional<Extreme> running_;  // the extreme being tracked (min while falling, max while rising)
  std::optional<Extreme> last_;     // the latest confirmed extreme
  std::optional<Instant> low_contrast_since_;
  std::optional<Run> run_;
  // The extreme a run had last reached when the light left its colour: no breath is under way from
  // it (mid_breath), though a breath of the new colour may start there.
  std::optional<std::uint64_t> left_at_;
  Instant cut_seen_;  // the latest step or jump that ended a first ramp (on_cut)
  std::uint64_t next_id_ = 1;
};

}  // namespace cyanrig::led_detail
