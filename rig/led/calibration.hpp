// Per-slot calibration of the LED colour sensors: what each sensor reads with its device's LED dark
// and with it showing white, so colour can be normalised to 0 (dark) .. 1 (the white reference) per
// channel. That removes what differs from slot to slot and has nothing to do with the LED's state:
// ambient light leaking in, the sensor's channel sensitivities, the LED's own die brightnesses.
//
// The rack's calibration file (default <rack dir>/led-calibration.yaml) holds one entry per rack
// device name (the slot: a swapped device keeps its slot's calibration), in the sensor's
// uncalibrated units (tcs34725: counts per 2.4 ms cycle at 1x gain):
//
//   devices:
//     argon-3:
//       dark: {r: 0.21, g: 0.25, b: 0.19, c: 0.7}
//       white: {r: 41.5, g: 52.25, b: 60.1, c: 160.4}
//       dark_at: 2024-05-02T09:14:03Z
//       white_at: 2024-05-02T09:14:11Z
//
// Pure: no hardware, so `cyanrig led calibrate` and the sensors share it and tests feed it directly.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/core/diagnostic.hpp"

namespace cyanrig {

// A reference level per channel; c is negative when the sensor has no clear channel.
struct ChannelLevels {
  float r = 0, g = 0, b = 0;
  float c = -1;
};

struct LedCalibration {
  std::optional<ChannelLevels> dark;
  std::optional<ChannelLevels> white;
  std::string dark_at, white_at;  // when each was measured (UTC, ISO 8601), for the people reading the file

  bool complete() const { return dark.has_value() && white.has_value(); }
};

// (x - dark) / (white - dark) per channel, never below 0 (noise under the dark level) and not capped
// at 1 (an application may drive the LED brighter than the reference). The clear channel is
// normalised when the sample and both references have one. Requires cal.complete().
RgbSample normalise(const LedCalibration& cal, const RgbSample& sample);

// The calibration file.
class LedCalibrations {
 public:
  // A file that does not exist yet reads as empty (nothing calibrated); anything unreadable or
  // malformed is reported at file:line:col.
  static std::optional<LedCalibrations> load(const std::string& path, Diagnostics& diags);

  const LedCalibration* find(std::string_view device) const;
  LedCalibration& entry(const std::string& device) { return devices_[device]; }
  const std::map<std::string, LedCalibration, std::less<>>& devices() const { return devices_; }

  std::string to_yaml() const;
  // Writes the whole file (every device's entry) through a temporary file and a rename, so a crash
  // never leaves half a file. Returns why it failed, or nothing.
  std::optional<std::string> save(const std::string& path) const;

 private:
  std::map<std::string, LedCalibration, std::less<>> devices_;
};

// The per-channel mean of the samples (the dark reference).
ChannelLevels mean_levels(std::span<const RgbSample> samples);
// The per-channel mean of the samples whose r+g+b is within `within` of the brightest one: the white
// reference from solid white, or from the peaks of breathing white. Empty input gives zeros.
ChannelLevels brightest_levels(std::span<const RgbSample> samples, float within = 0.9F);
// Why dark and white cannot be a calibration ("white is not clearly brighter than dark on the blue
// channel ..."), or nothing when they can.
std::optional<std::string> reference_problem(const ChannelLevels& dark, const ChannelLevels& white);

}  // namespace cyanrig
