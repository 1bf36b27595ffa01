// Internal to the LED decoder: recognisers for each kind of LED pattern. Each follows the light
// (segments or points from LightTrack) in "runs": a run is a stretch the pattern explains so far.
// When a run has shown enough, the recogniser offers a Candidate; the decoder decides what to report.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "rig/led/led_decoder.hpp"
#include "rig/led/led_light_track.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::led_detail {

enum class Source { blink, flashes, sos, breath, steady, gap };

// A state a recogniser has named, with what the decoder needs to arbitrate.
struct Candidate {
  LedStateChange change;
  Source source = Source::gap;
  std::uint64_t run = 0;     // the recogniser's run that shows it
  Duration longest_dark{0};  // the longest dark stretch the state explains (for the gap `off`)
  bool transient = false;    // a completed state (flashes, a cut-short breath): nothing to keep alive
};

// The default colour nearest to `light` (per-channel light, any scale) within `tolerance`; neutral
// light is white (gray is told apart by brightness, see SteadyMatcher).
const NamedColour* nearest_default_colour(Rgb light, double tolerance);
// The default signal with this pattern, colour and period (within the fraction `tolerance` plus
// `slack`, what the measurement itself may be off).
const DefaultLedSignal* find_default_signal(LedPattern pattern, std::string_view colour, Duration period,
                                            double tolerance, Duration slack = Duration{0});
bool same_state(const LedStateChange& a, const LedStateChange& b);

// Blinks (on for half the period, off for the other half), default or custom.
class BlinkMatcher {
 public:
  explicit BlinkMatcher(const LedDecoderOptions& options) : options_(options) {}
  std::optional<Candidate> on_segment(const LightSegment& s, const LightTrack& track);
  bool alive(std::uint64_t run, Instant now, Duration interval) const;

 private:
  struct Run {
    std::uint64_t id = 0;
    Instant start;      // rising edge of the first lit phase
    Instant last_rise;  // rising edge of the latest lit phase
    Duration first_rise_slack{0}, last_rise_slack{0};
    Instant last_edge;
    Duration lit_sum{0}, dark_sum{0}, period_sum{0};
    int lits = 0, darks = 0, cycles = 0;
    int lit_samples = 0;  // readings the colour was measured from
    Rgb light_sum;
    bool expect_dark = true;
    bool named = false;
    // The first lit phase was hidden and taken to be as long as the first dark (see
    // start_run_on_merged_lit) without proof: not named until a lit phase has confirmed it.
    bool lit_assumed = false;
    std::optional<LightSegment> lead_lit, lead_dark;  // the two segments before the run
    Duration mean_lit() const { return lit_sum / lits; }
    Duration mean_dark() const { return dark_sum / darks; }
    Duration period() const { return period_sum / cycles; }
    Rgb light() const { return light_sum.scaled(1.0F / static_cast<float>(lits)); }
  };
  std::optional<Candidate> follow(const LightSegment& s, const LightTrack& track);
  void start_run(const LightSegment& s);
  bool start_run_on_merged_lit(const LightSegment& s, Duration margin, bool lead_ended_run);
  Instant first_edge(const LightTrack& track) const;
  bool lit_fits(const LightSegment& s, Duration margin) const;
  bool dark_fits(const LightSegment& s, Duration margin) const;
  std::optional<Candidate> try_name(const LightTrack& track);
  int cycles_for_unknown(Duration period) const;

  LedDecoderOptions options_;
  std::optional<Run> run_;
  std::uint64_t next_id_ = 1;
  std::array<std::optional<LightSegment>, 2> before_;  // the last two segments, oldest first
};

// Cloud-error flashes: 1-3 flashes of 250 ms on / 250 ms off in red, orange or magenta.
class FlashMatcher {
 public:
  std::optional<Candidate> on_segment(const LightSegment& s, const LightTrack& track);
  // The light stayed dark after the last flash: the burst is over.
  std::optional<Candidate> on_time(const LightTrack& track);
  std::optional<Candidate> finish(const LightTrack& track) { return end_burst(track.point().t); }

 private:
  struct Burst {
    Instant start;
    Instant last_flash_end;
    const NamedColour* colour = nullptr;
    int count = 0;
    bool gap_seen = false;  // the 250 ms dark after the latest flash
  };
  bool is_flash(const LightSegment& s) const;
  std::optional<Candidate> end_burst(Instant now);

  std::optional<Burst> burst_;
};

// SOS: three dots, three dashes, three dots, then the panic code in dashes (panic.c timing).
class SosMatcher {
 public:
  std::optional<Candidate> on_segment(const LightSegment& s, const LightTrack& track);
  // The code ends with an 800 ms gap (plus the last dash's 300 ms): named once the gap is clear.
  std::optional<Candidate> on_time(const LightTrack& track);
  std::optional<Candidate> finish(const LightTrack& track);
  bool alive(std::uint64_t run, Instant now) const;
  // Playing an SOS: past its first letter, or repeating one already named.
  bool engaged() const { return play_ && (play_->pulse >= 3 || play_->named || play_->ended); }

 private:
  struct Play {
    std::uint64_t run = 0;  // kept while plays follow each other
    Instant start;          // rising edge of the first dot
    Instant last_edge;
    std::size_t pulse = 0;  // next pulse of the prefix; kSosPrefix.size() once in the code
    int code = 0;
    bool expect_dark = false;
    bool named = false;
    bool ended = false;  // the gap after the code has closed: the next play may follow
    // The first dot came a dot-gap after other light, which may have hidden the real first dot.
    bool first_dot_hidden = false;
  };
  std::optional<Candidate> name(Instant now);
  void begin_play(const LightSegment& s, Duration tolerance, bool after_dot_gap);

  std::optional<Play> play_;
  bool dot_gap_ = false;  // the latest segment was dark for about a dot-gap
  std::uint64_t next_run_ = 1;
};

// A light's level in short bins (point count, mean time and mean level), a ring over the latest
// kCount, numbered from when it began.
class LevelBins {
 public:
  static constexpr Duration kWidth = std::chrono::milliseconds(50);
  static constexpr std::int64_t kCount = 24;
  struct Bin {
    double n = 0, t = 0, level = 0;  // t in seconds since the start; sums until the bin closes
  };
  LevelBins() = default;
  explicit LevelBins(Instant start) : start_(start) {}
  // Adds a point; returns the number of the bin it closed, if it closed one (the newest closed bin).
  std::optional<std::int64_t> add(Instant t, double level);
  // Closed bin `number`, empty when it held no point or is not among the latest kCount.
  const Bin& closed(std::int64_t number) const;
  Instant start() const { return start_; }

 private:
  static constexpr std::int64_t kSlots = kCount + 1;  // the closed bins and the open one
  Bin& slot(std::int64_t number) { return bins_[static_cast<std::size_t>(number % kSlots)]; }
  std::array<Bin, kSlots> bins_{};
  Instant start_;
  std::int64_t open_ = -1;  // the bin being filled
  Bin empty_;
};

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
  };
  struct Ramp {
    Extreme from, to;
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
  Extreme with_onset(Extreme peak, const LightTrack& track) const;
  Ramp fit_ramp(const Extreme& from, const Extreme& to, const LightTrack& track) const;
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
  std::uint64_t next_id_ = 1;
};

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
  // The latest ended dark stretches (ring): enough to reach back over a whole SOS play, which is
  // named only when its code has ended.
  std::array<DarkStretch, 64> dark_stretches_{};
  std::size_t dark_count_ = 0;
};

}  // namespace cyanrig::led_detail
