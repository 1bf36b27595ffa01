// Internal to the LED decoder: steady light, `off` when dark and `solid_gray` or a custom solid
// colour when lit, read from 200 ms blocks of raw readings.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"

namespace cyanrig::led_detail {

// Steady light: `off` when dark, `solid_gray` or a custom solid colour when lit. Works on 200 ms
// blocks of raw readings; a blink (several steps a block) or a breath (drifting block means) never
// looks steady.
class SteadyMatcher {
 public:
  explicit SteadyMatcher(const LedDecoderOptions& options) : options_(options) {}
  // Offers a candidate at most once per block while the run is long enough and not yet settled;
  // no solid light while `breathing`.
  std::optional<Candidate> on_point(const LightPoint& p, const LightTrack& track, bool breathing);
  // End of the light: dark for `dark_needed` is off (the decoder passes what the current state
  // cannot explain).
  std::optional<Candidate> finish(const LightTrack& track, Duration dark_needed);
  void settled() { settled_run_ = run_.id; }
  // The brightest light (contrast) of the blinking, breathing and flashing patterns recognised so
  // far: what a neutral solid light is compared with to tell gray from a custom white.
  void saw_pattern_light(float contrast) { pattern_light_ = std::max(pattern_light_, contrast); }
  // The run still holds: it is the current one and the open block has not stepped twice (which
  // ends the run when the block closes; a blink named meanwhile need not wait for that).
  bool alive(std::uint64_t run, const LightTrack& track) const {
    return run_.samples > 0 && run_.id == run &&
           (block_.samples == 0 || track.step_count() - block_.steps_before < 2);
  }
  // How long the light has been steadily dark, when it is.
  std::optional<Duration> dark_for(const LightTrack& track) const;
  // Whether the dark level may be learned from the current light (see LightTrack).
  bool dark_learning_ok(const LightTrack& track) const;
  // The latest block ended a run without a step (the light drifted); reading clears it.
  bool take_gradual_change() { return std::exchange(changed_gradually_, false); }

  struct DarkStretch {
    Instant start, end;
  };
  // The steady dark stretch that ended within `reach` of `t`, if any (the latest such), or the
  // current run when it is dark and its last block ended within `reach` before `t` (the light
  // changed at `t` but the block saying so has not closed yet).
  std::optional<DarkStretch> dark_ending_near(Instant t, Duration reach, const LightTrack& track) const;

 private:
  // Sums of the raw readings, so that the dark level moving meanwhile does not look like a change.
  struct Stats {
    std::uint64_t id = 0;
    Instant start;
    Instant last_t;                  // time of the last point
    std::uint64_t first = 0;         // ring position of the first point
    std::uint64_t steps_before = 0;  // the track's step count when it began
    double r = 0, g = 0, b = 0;
    int samples = 0;
    Rgb low, high;  // lowest and highest block means per channel
    Rgb mean() const {
      const auto n = static_cast<double>(std::max(samples, 1));
      return {static_cast<float>(r / n), static_cast<float>(g / n), static_cast<float>(b / n)};
    }
  };
  std::optional<Candidate> close_block(const LightTrack& track, bool breathing);
  bool block_continues_run(const Stats& block, const LightTrack& track) const;
  bool departs_from_run(const Stats& block, const LightTrack& track) const;
  Instant gradual_change_time(const Stats& block, const LightTrack& track) const;
  Stats points_since(Instant at, const Stats& block, const LightTrack& track) const;
  struct DarkChange {
    Instant at;
    Rgb before, after;  // the mean readings either side
  };
  std::optional<DarkChange> dark_change(const Stats& block, const LightTrack& track) const;
  Stats points_between(Instant at, const LightTrack& track) const;
  std::optional<Candidate> offer(const LightTrack& track, Duration dark_needed, Duration lit_needed) const;
  bool is_dark(const Stats& run, const LightTrack& track) const;
  bool looks_level(const LightTrack& track) const;
  Candidate solid(const LightTrack& track) const;
  void remember_dark(DarkStretch d) { dark_stretches_[dark_count_++ % dark_stretches_.size()] = d; }

  LedDecoderOptions options_;
  Stats block_, run_;
  Instant previous_block_start_;
  std::uint64_t previous_block_first_ = 0;
  std::uint64_t next_id_ = 1;
  std::uint64_t settled_run_ = 0;
  float pattern_light_ = 0;
  bool changed_gradually_ = false;
  bool held_by_breath_ = false;  // `breathing` at the latest point
  // The latest lit segment: a blink too brief to step (a pattern's last lit phase cut short).
  std::optional<LightSegment> last_lit_;
  // The latest ended dark stretches (ring): enough to reach back over a whole SOS play, which is
  // named only when its code has ended.
  std::array<DarkStretch, 64> dark_stretches_{};
  std::size_t dark_count_ = 0;
};

}  // namespace cyanrig::led_detail
