#include "rig/led/flash_matcher.hpp"

#include <string>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

constexpr Duration kFlashTolerance = milliseconds(40);  // beyond the edges' own slack
// Flashes are short, so their colour is measured from few samples: a little looser than naming.
constexpr double kFlashColourTolerance = 0.25;

}  // namespace

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

}  // namespace cyanrig::led_detail
