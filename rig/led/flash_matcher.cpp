#include "rig/led/flash_matcher.hpp"

#include <string>

#include "rig/led/led_colour.hpp"

namespace cyanrig::led_detail {
namespace {

using std::chrono::milliseconds;

constexpr Duration kFlashTolerance = milliseconds(40);  // beyond the edges' own slack
// Flashes are short, so their colour is measured from few samples: a little looser than naming.
constexpr ColourAllowance kFlashColour{0.35, 0.05};

}  // namespace

const NamedColour* FlashMatcher::flash_colour(const LightSegment& s, const LightTrack& track) const {
  if (!s.lit || !s.flat || !s.clean || !near(s.length(), kFlash, kFlashTolerance + s.slack())) return nullptr;
  const NamedColour* colour = nearest_default_colour(
      s.light, with_noise(kFlashColour, track.die_noise(), s.samples, brightest(s.light)));
  return is_flash_colour(colour) ? colour : nullptr;
}

// A burst's flashes are one colour. Each is measured from a few samples, so a flash is taken for the
// burst's colour when it is within the allowance of it, even if another flash colour is nearer
// (orange and red are 0.38 apart on one channel).
bool FlashMatcher::continues_burst(const LightSegment& s, const LightTrack& track) const {
  const ColourAllowance allowance =
      with_noise(kFlashColour, track.die_noise(), s.samples, brightest(s.light));
  return burst_ && burst_->gap_seen && colour_score(s.light, *burst_->colour, allowance) <= 1;
}

std::optional<Candidate> FlashMatcher::on_segment(const LightSegment& s, const LightTrack& track) {
  const Instant now = track.point().t;
  if (s.lit) {
    const NamedColour* colour = flash_colour(s, track);
    if (colour == nullptr) return end_burst(now, track.die_noise());
    const Rgb light = s.light.scaled(static_cast<float>(s.samples));
    if (continues_burst(s, track)) {
      ++burst_->count;
      burst_->gap_seen = false;
      burst_->last_flash_end = s.end;
      burst_->light_sum = burst_->light_sum + light;
      burst_->samples += s.samples;
      return std::nullopt;
    }
    std::optional<Candidate> ended = end_burst(now, track.die_noise());
    burst_ = Burst{s.begin, s.end, colour, light, s.samples, 1, false};
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
  return end_burst(now, track.die_noise());
}

std::optional<Candidate> FlashMatcher::on_time(const LightTrack& track) {
  if (!burst_ || track.point().lit) return std::nullopt;
  if (track.point().t - burst_->last_flash_end <= kFlash + kFlashTolerance + 2 * track.sample_interval()) {
    return std::nullopt;
  }
  return end_burst(track.point().t, track.die_noise());
}

std::optional<Candidate> FlashMatcher::end_burst(Instant now, float channel_noise) {
  if (!burst_) return std::nullopt;
  const Burst b = *burst_;
  burst_.reset();
  if (b.count > kMaxFlashes) return std::nullopt;
  // The colour of all the flashes together, measured better than the first one's.
  const Rgb light = b.light_sum.scaled(1.0F / static_cast<float>(b.samples));
  const NamedColour* all =
      nearest_default_colour(light, with_noise(kFlashColour, channel_noise, b.samples, brightest(light)));
  Candidate c;
  c.change = change_for("cloud_error", b.start, now);
  c.change.colour = std::string((is_flash_colour(all) ? all : b.colour)->name);
  c.change.count = b.count;
  c.source = Source::flashes;
  c.longest_dark = kFlash * 3 / 2;
  c.transient = true;
  return c;
}

}  // namespace cyanrig::led_detail
