// A 3x3 matrix over colour channels: how light on one set of channels appears on another (a colour
// sensor's crosstalk between an LED's dies and its own channels, or a calibration's colour
// correction back). Header-only and constexpr, so the simulated sensor (drivers/led/sim) and the
// decoder share it without one library linking the other.
#pragma once

#include <array>
#include <cmath>
#include <optional>

#include "rig/led/led_state.hpp"

namespace cyanrig {

struct ChannelMatrix {
  // rows[i][j]: what input channel j gives on output channel i (order red, green, blue).
  std::array<std::array<float, 3>, 3> rows{};

  static constexpr ChannelMatrix identity() { return {{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}}; }
  // The matrix whose columns are these colours: what each input channel alone gives.
  static constexpr ChannelMatrix from_columns(Rgb red, Rgb green, Rgb blue) {
    return {{{{red.r, green.r, blue.r}, {red.g, green.g, blue.g}, {red.b, green.b, blue.b}}}};
  }

  constexpr Rgb operator*(Rgb v) const {
    return {rows[0][0] * v.r + rows[0][1] * v.g + rows[0][2] * v.b,
            rows[1][0] * v.r + rows[1][1] * v.g + rows[1][2] * v.b,
            rows[2][0] * v.r + rows[2][1] * v.g + rows[2][2] * v.b};
  }
  constexpr ChannelMatrix operator*(const ChannelMatrix& o) const {
    ChannelMatrix out;
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        out.rows[i][j] = rows[i][0] * o.rows[0][j] + rows[i][1] * o.rows[1][j] + rows[i][2] * o.rows[2][j];
      }
    }
    return out;
  }
  // Each output channel scaled by the matching channel of `k` (a diagonal matrix on the left).
  constexpr ChannelMatrix rows_scaled(Rgb k) const {
    ChannelMatrix out = *this;
    const std::array<float, 3> f{k.r, k.g, k.b};
    for (std::size_t i = 0; i < 3; ++i) {
      for (float& x : out.rows[i]) x *= f[i];
    }
    return out;
  }
  // Each input channel scaled by the matching channel of `k` (a diagonal matrix on the right).
  constexpr ChannelMatrix columns_scaled(Rgb k) const {
    ChannelMatrix out = *this;
    for (auto& row : out.rows) {
      row[0] *= k.r;
      row[1] *= k.g;
      row[2] *= k.b;
    }
    return out;
  }
  // The diagonal kept, everything off it scaled by `k` (0: no crosstalk at all).
  constexpr ChannelMatrix crosstalk_scaled(float k) const {
    ChannelMatrix out = *this;
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        if (i != j) out.rows[i][j] *= k;
      }
    }
    return out;
  }
  constexpr float determinant() const {
    const auto& m = rows;
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  }
  // The inverse; nothing when the matrix is (nearly) singular: its columns do not span colour.
  constexpr std::optional<ChannelMatrix> inverse() const {
    const float det = determinant();
    if (!(det > 1e-6F || det < -1e-6F)) return std::nullopt;
    const auto& m = rows;
    ChannelMatrix out;
    out.rows[0] = {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det,
                   (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
                   (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det};
    out.rows[1] = {(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det,
                   (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
                   (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det};
    out.rows[2] = {(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det,
                   (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
                   (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det};
    return out;
  }
  constexpr bool operator==(const ChannelMatrix&) const = default;
};

// A TCS34725's response to each die of an RGB status LED, each die on its own channel scaled to 1:
// rows are the sensor's red, green and blue channels, columns the LED's red (625 nm), green
// (525 nm) and blue (465 nm) dies. From the datasheet's photodiode spectral responsivity averaged
// over the spectra of its own test LEDs (docs/led.md, "Crosstalk", has the numbers and sources): the
// blue channel sees 35% of what the green die gives the green channel, the green channel 30% of the
// blue die, the blue channel 10% of the red die.
inline constexpr ChannelMatrix kTcs34725Crosstalk{{{
    {1.0F, 0.099F, 0.009F},
    {0.062F, 1.0F, 0.303F},
    {0.102F, 0.355F, 1.0F},
}}};

// The sensor the LED decoder assumes (rig/led/led_colour.hpp): 0.75x the typical crosstalk, the
// middle of none (an ideal sensor) and 1.5x (the most a real part shows), with exact gains and a
// nominal LED. A calibration maps its sensor and LED onto it (rig/led/calibration.hpp), so the
// decoder's unmixing is exact for a calibrated slot.
inline constexpr float kCanonicalCrosstalk = 0.75F;
inline constexpr ChannelMatrix kCanonicalSensor = kTcs34725Crosstalk.crosstalk_scaled(kCanonicalCrosstalk);

}  // namespace cyanrig
