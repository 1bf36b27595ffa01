// Internal to the LED decoder: SOS, the panic pattern (particle-reference.md section 2, device-os
// services/src/panic.c), with its panic code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"

namespace cyanrig::led_detail {

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
  void begin_play(const LightSegment& s, const LightTrack& track, Duration tolerance, bool after_dot_gap);

  std::optional<Play> play_;
  bool dot_gap_ = false;  // the latest segment was dark for about a dot-gap
  std::uint64_t next_run_ = 1;
};

}  // namespace cyanrig::led_detail
