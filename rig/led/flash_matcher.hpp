// Internal to the LED decoder: cloud-error flashes (particle-reference.md section 2): during blinking
// cyan, 1-3 flashes of 250 ms on / 250 ms off in red, orange or magenta.
#pragma once

#include <chrono>
#include <optional>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"

namespace cyanrig::led_detail {

// A flash: 250 ms lit, then 250 ms dark before the next (system_task.cpp).
inline constexpr Duration kFlash = led_periods::kCloudErrorFlash;
// The most flashes of one burst.
inline constexpr int kMaxFlashes = 3;

// Cloud-error flashes: 1-3 flashes of 250 ms on / 250 ms off in red, orange or magenta.
class FlashMatcher {
 public:
  std::optional<Candidate> on_segment(const LightSegment& s, const LightTrack& track);
  // The light stayed dark after the last flash: the burst is over.
  std::optional<Candidate> on_time(const LightTrack& track);
  std::optional<Candidate> finish(const LightTrack& track) {
    return end_burst(track.point().t, track.channel_noise());
  }

 private:
  struct Burst {
    Instant start;
    Instant last_flash_end;
    const NamedColour* colour = nullptr;  // of the first flash
    Rgb light_sum;                        // of every flash's light, each weighted by its samples
    int samples = 0;
    int count = 0;
    bool gap_seen = false;  // the 250 ms dark after the latest flash
  };
  // The flash colour of a lit segment that is a flash (length, flat, clean); null otherwise.
  const NamedColour* flash_colour(const LightSegment& s, const LightTrack& track) const;
  // Whether the flash `s` is of the burst's colour.
  bool continues_burst(const LightSegment& s, const LightTrack& track) const;
  std::optional<Candidate> end_burst(Instant now, float channel_noise);

  std::optional<Burst> burst_;
};

}  // namespace cyanrig::led_detail
