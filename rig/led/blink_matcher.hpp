// Internal to the LED decoder: blinks (on for the first half of the period, off for the second;
// particle-reference.md section 2), default or custom, read from the lit and dark segments.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"

namespace cyanrig::led_detail {

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
    Duration first_lit{0};  // the first lit phase (from the rise the run starts at)
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
  const NamedColour* held_colour(Duration period) const;
  // The colour of the latest blink named (see name_periodic), and its latest edge.
  const NamedColour* named_colour_ = nullptr;
  Instant named_until_;
  std::array<std::optional<LightSegment>, 2> before_;  // the last two segments, oldest first
};

}  // namespace cyanrig::led_detail
