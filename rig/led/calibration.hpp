// Per-slot calibration of the LED colour sensors (docs/led.md, "Calibration"): what each sensor reads
// with its device's LED dark, with it showing white, and with each of the LED's dies alone (the
// primaries), and the colour correction that turns its readings into the LED's own dies. That
// removes what differs from slot to slot and has nothing to do with the LED's state: ambient light
// leaking in, the sensor's channel gains and crosstalk (each of its filters answers partly to the
// other dies), and the LED's own die brightnesses.
//
// The rack's calibration file (default <rack dir>/led-calibration.yaml) holds one entry per rack
// device name (the slot: a swapped device keeps its slot's calibration), levels in the sensor's
// uncalibrated units (tcs34725: counts per 2.4 ms cycle at 1x gain):
//
//   devices:
//     argon-3:
//       dark: {r: 0.21, g: 0.25, b: 0.19, c: 0.7}
//       white: {r: 41.5, g: 52.25, b: 60.1, c: 160.4}
//       red: {r: 38.2, g: 2.6, b: 4.1}
//       green: {r: 3.9, g: 34.7, b: 12.6}
//       blue: {r: 0.5, g: 15.1, b: 44.2}
//       primaries_from: boot
//       correction: [[0.0265, -0.0026, 0.0006], [-0.0013, 0.0327, -0.0093], [-0.0022, -0.0127, 0.0256]]
//       dark_at: 2024-05-02T09:14:03Z
//       white_at: 2024-05-02T09:14:11Z
//       primaries_at: 2024-05-02T09:14:11Z
//
// Pure: no hardware, so `cyanrig led calibrate`, the sensors and the benchmarks share it and tests
// feed it directly.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/core/diagnostic.hpp"
#include "rig/led/channel_matrix.hpp"

namespace cyanrig {

// A reference level per channel; c is negative when the sensor has no clear channel.
struct ChannelLevels {
  float r = 0, g = 0, b = 0;
  float c = -1;

  Rgb rgb() const { return {r, g, b}; }
};

// What the sensor reads with each of the LED's dies alone (dark included, like every level here).
struct Primaries {
  ChannelLevels red, green, blue;
};

struct LedCalibration {
  std::optional<ChannelLevels> dark;
  std::optional<ChannelLevels> white;
  std::optional<Primaries> primaries;
  std::string primaries_from;  // how they were measured: "probe" (the LED driven die by die) or "boot"
  // Readings minus dark -> the LED's dies; made from the primaries (colour_correction).
  std::optional<ChannelMatrix> correction;
  // When each was measured (UTC, ISO 8601), for the people reading the file.
  std::string dark_at, white_at, primaries_at;

  bool complete() const { return dark.has_value() && (correction.has_value() || white.has_value()); }
};

// A sample in calibrated units. With a colour correction: correction * (x - dark), the LED's own
// dies (red, green and blue, each 0 dark and 1 at the brightness the primaries were measured at),
// crosstalk and gains undone. Without one, per channel (x - dark) / (white - dark). Never clamped:
// light below the dark reference by the noise (or a room darker than when calibrated) keeps its
// noise. The clear channel is normalised from dark to white when the sample and both references
// have one. Requires cal.complete().
RgbSample calibrated(const LedCalibration& cal, const RgbSample& sample);
// The same as a matrix on readings above dark, for the LED decoder (LedDecoderOptions::
// colour_correction): the colour correction, or, without primaries, each channel scaled from dark to
// white. Requires cal.complete().
ChannelMatrix sensor_correction(const LedCalibration& cal);

// The calibration file.
class LedCalibrations {
 public:
  // A file that does not exist yet reads as empty (nothing calibrated); anything unreadable or
  // malformed is reported at file:line:col.
  static std::optional<LedCalibrations> load(const std::string& path, Diagnostics& diags);

  const LedCalibration* find(std::string_view device) const&;
  // The entry would die with the temporary (ASan caught a test doing this): keep the calibrations.
  const LedCalibration* find(std::string_view device) const&& = delete;
  LedCalibration& entry(const std::string& device) { return devices_[device]; }
  const std::map<std::string, LedCalibration, std::less<>>& devices() const { return devices_; }

  std::string to_yaml() const;
  // Writes the whole file (every device's entry) through a temporary file and a rename, so a crash
  // never leaves half a file. Returns why it failed, or nothing.
  std::optional<std::string> save(const std::string& path) const;

 private:
  std::map<std::string, LedCalibration, std::less<>> devices_;
};

// The per-channel mean of the samples (the dark reference, a primary shown steadily).
ChannelLevels mean_levels(std::span<const RgbSample> samples);
// The per-channel mean of the samples whose r+g+b is within `within` of the brightest one: the white
// reference from solid white, or from the peaks of breathing white. Empty input gives zeros.
ChannelLevels brightest_levels(std::span<const RgbSample> samples, float within = 0.9F);
// Why dark and white cannot be a calibration ("white is not clearly brighter than dark on the blue
// channel ..."), or nothing when they can.
std::optional<std::string> reference_problem(const ChannelLevels& dark, const ChannelLevels& white);
// The colour correction of these primaries: the matrix that turns each primary minus dark into its
// unit colour (red into 1, 0, 0 ...), or why there is none (a die no brighter than dark on its own
// channel, or primaries so alike that they do not tell the dies apart).
std::variant<ChannelMatrix, std::string> colour_correction(const ChannelLevels& dark,
                                                           const Primaries& primaries);

}  // namespace cyanrig
