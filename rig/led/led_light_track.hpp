// Internal to the LED decoder: raw sensor samples -> conditioned light points and lit/dark
// segments. Everything here is relative to what the light itself shows (dark level, lit level,
// noise), so no sensor scale is assumed. Levels are the sensor's channels as they come (no noise
// added by unmixing); colours are in die space (led_colour.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/led/led_colour.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::led_detail {

// One sample after conditioning.
struct LightPoint {
  Instant t;
  float level = 0;   // brightest channel above the dark level, sensor units
  float smooth = 0;  // level low-passed over ~80 ms, for slow shapes (breathing)
  Rgb light;         // the light above the dark level, in die space (led_colour.hpp)
  Rgb raw;           // the sample as the sensor gave it
  bool lit = false;  // lit/dark state after this sample
};

// The last few thousand points, for looking back over a ramp or a segment without allocating.
class PointRing {
 public:
  static constexpr std::uint64_t kCapacity = 8192;  // > 8 s at 1 kHz
  PointRing() : points_(kCapacity) {}
  void push(const LightPoint& p) { points_[next_++ % kCapacity] = p; }
  std::uint64_t next() const { return next_; }  // position the next point will get
  // Oldest position still held.
  std::uint64_t oldest() const { return next_ > kCapacity ? next_ - kCapacity : 0; }
  const LightPoint& at(std::uint64_t position) const { return points_[position % kCapacity]; }

 private:
  std::vector<LightPoint> points_;
  std::uint64_t next_ = 0;
};

// A maximal run of points with the same lit/dark state (and, when lit, the same colour).
struct LightSegment {
  bool lit = false;
  Instant begin;            // edge that started it (midway between the samples either side)
  Instant end;              // edge that ended it
  std::uint64_t first = 0;  // ring positions, inclusive
  std::uint64_t last = 0;
  int samples = 0;
  float mean_level = 0;
  Rgb light;          // mean light per channel
  bool flat = true;   // lit without a ramp (a breath's lit part is not flat)
  bool clean = true;  // mean near the lit (or dark) level: a real on (or off) phase
  // How far each edge may be from its estimate: half the gap between the samples either side
  // (more where a sample was dropped).
  Duration begin_slack{0}, end_slack{0};
  Duration length() const { return end - begin; }
  Duration slack() const { return begin_slack + end_slack; }
};

// Sample conditioning and segmentation. Each sample is a point as soon as it comes: what needs a
// sample on either side (the median of three that keeps single-sample spikes out of the lit level,
// the noise, a step's second sample) is measured one sample later, so that an edge is never held
// back for the sample after it (at 50 Hz, with a sample lost, that was 40 ms of a 10 Hz blink's
// 150 ms allowance).
class LightTrack {
 public:
  explicit LightTrack(const LedDecoderOptions& options);

  // Adds a raw sample; true when it became a point (point(), closed()). Samples older than the
  // previous one, and samples with a non-finite channel, are ignored.
  bool add(const RgbSample& sample);

  const LightPoint& point() const { return ring_.at(ring_.next() - 1); }
  // The segment the latest point closed, if it closed one.
  const std::optional<LightSegment>& closed() const { return closed_; }
  const PointRing& ring() const { return ring_; }
  // Time of the latest edge where the light jumped between dark and lit from one sample to the
  // next (a switch, not a ramp through the threshold).
  std::optional<Instant> last_step() const { return last_step_; }
  std::uint64_t step_count() const { return steps_; }
  // Time of the latest jump: the light moved between two samples by far more than the noise and
  // than any breath can, whether or not it crossed the lit/dark threshold (a switch to another
  // pattern, seen a few samples late).
  std::optional<Instant> last_jump() const { return last_jump_; }
  // The first of the recent steps (the last kRecentSteps) at or after `t`.
  std::optional<Instant> first_step_since(Instant t) const;

  // Light as the sensor read it above dark -> the light of the LED's dies: through the slot's colour
  // correction when there is one, else by the canonical sensor (led_colour.hpp).
  Rgb to_dies(Rgb sensor_light) const { return sensor_to_dies_ * sensor_light; }

  float dark_level() const { return dark_level_; }
  Rgb dark() const { return dark_; }  // per-channel dark (ambient) reading
  // Lit minus dark level over the envelope window: the light's own scale.
  float contrast() const { return contrast_; }
  // The brightest contrast seen (slowly forgotten): what "dim" is measured against.
  float reference() const { return reference_; }
  float noise() const { return noise_; }                  // sd of one level sample
  float channel_noise() const { return channel_noise_; }  // sd of one channel of one sample
  // The same in die space (PointLight::light, to_dies), as the canonical sensor's unmixing leaves it:
  // channel_noise() for an uncalibrated sensor; through a colour correction, in its units and with
  // what its fuller unmixing adds.
  float die_noise() const { return channel_noise_ * die_noise_gain_; }
  bool contrast_ok() const { return contrast_ok_; }
  Duration sample_interval() const { return interval_; }

  // The decoder allows learning the dark level only while the light is in a pattern's dark phase
  // or known to be off, so a dim steady light (gray) is not mistaken for ambient light.
  void allow_dark_learning(bool allowed) { dark_learning_ = allowed; }
  // The light changed without a step (it may have brightened to a dim steady light): what follows
  // is not known to be ambient light until the LED next steps down to dark.
  void changed_gradually() { dark_after_step_ = false; }

 private:
  struct Peak {
    Instant t;
    float level = 0;
    Rgb colour;  // of the light there (normalised, the mean of it and the point before)
  };
  void process(const RgbSample& earlier, const RgbSample& before, const RgbSample& sample);
  void update_dark_reference(const RgbSample& earlier, const RgbSample& before, const RgbSample& sample);
  float level_of(const RgbSample& s) const;
  void follow_noise(float& noise, float estimate) const;
  void update_noise(float before, float level, float after);
  void update_channel_noise(const RgbSample& before, const RgbSample& sample, const RgbSample& after);
  void update_envelope(Instant t, float median_level, Rgb colour, Duration dt);
  void set_contrast(Duration dt);
  void follow_colour_change(const LightPoint& p, Rgb colour);
  void update_lit_state(const LightPoint& p, Instant edge_time, Duration edge_slack);
  void confirm_step(float level);
  void check_jump();
  void check_colour_split(const LightPoint& p);
  void learn_dark(const RgbSample& sample, float level, Duration dt);
  void close_segment(Instant at, Duration slack, std::uint64_t last);
  void open_segment(bool lit, Instant at, Duration slack, std::uint64_t first);
  void add_to_segment(const LightPoint& p);
  bool segment_is_flat(const LightSegment& s) const;

  LedDecoderOptions options_;
  ChannelMatrix sensor_to_dies_;
  float die_noise_gain_ = 1;
  PointRing ring_;
  // The two raw samples before the latest, oldest first.
  RgbSample earlier_{}, previous_{};
  std::uint64_t processed_ = 0;
  Instant last_t_{};

  Duration interval_{0};
  float smooth_ = 0;
  float noise_ = 0;
  float channel_noise_ = 0;

  Rgb dark_;  // per-channel dark (ambient) reading
  float dark_level_ = 0;
  bool dark_learning_ = true;
  int dark_learned_ = 0;  // samples the dark level was learned from (caps at a fixed rate)
  // The light went dark at a step (not by a breath ramping through the threshold): the LED is
  // known to be off, so this is ambient light to learn the dark level from.
  bool dark_after_step_ = true;

  std::vector<Peak> peaks_;  // monotonic queue (ring) of the envelope window's maxima
  std::size_t peak_head_ = 0, peak_size_ = 0;
  float contrast_ = 0;
  float reference_ = 0;
  bool contrast_ok_ = false;
  std::optional<Instant> colour_change_since_;  // light of another colour than the envelope's began

  bool lit_ = false;
  // An edge whose first sample crossed like a step; confirmed (or not) by the next sample.
  struct PossibleStep {
    Instant at;
    bool rising = false;
    float beyond = 0;  // the level the next sample must also pass
  };
  std::optional<PossibleStep> possible_step_;
  std::optional<Instant> last_step_;
  std::optional<Instant> last_jump_;
  std::uint64_t steps_ = 0;
  static constexpr std::size_t kRecentSteps = 16;
  std::array<Instant, kRecentSteps> recent_steps_{};  // ring, indexed by step count
  LightSegment open_;
  Rgb open_colour_;  // running colour of the open segment
  std::optional<std::uint64_t> split_candidate_;
  std::optional<LightSegment> closed_;
};

}  // namespace cyanrig::led_detail
