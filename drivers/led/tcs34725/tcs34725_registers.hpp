// The TCS34725 colour sensor's register map and encodings (ams TCS3472 datasheet), as pure
// functions: everything that can be got wrong about the chip is tested here without a bus.
//
// Every register access starts with a command byte: 0x80 | register for one byte, 0xA0 | register
// to auto-increment through consecutive registers (the colour burst). The ADC integrates for
// ATIME cycles of 2.4 ms; its counts saturate at 1024 per cycle, capped at 65535.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "drivers/led/tcs34725/i2c_bus.hpp"
#include "rig/core/time.hpp"

namespace cyanrig::tcs34725 {

// Every TCS3472x answers here; several on one bus need a multiplexer (tca9548a.hpp).
inline constexpr I2cAddress kAddress{0x29};

enum class Register : std::uint8_t {
  enable = 0x00,
  atime = 0x01,
  control = 0x0F,
  id = 0x12,
  status = 0x13,
  cdata = 0x14,  // CDATAL; then CDATAH, RDATAL/H, GDATAL/H, BDATAL/H
};

constexpr std::uint8_t command(Register reg) {
  return static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(reg));
}
constexpr std::uint8_t auto_increment(Register reg) {
  return static_cast<std::uint8_t>(0xA0 | static_cast<std::uint8_t>(reg));
}

// ENABLE bits: PON starts the oscillator, AEN the RGBC ADC. The datasheet asks for 2.4 ms between
// PON and AEN.
inline constexpr std::uint8_t kPowerOn = 0x01;
inline constexpr std::uint8_t kAdcEnable = 0x02;
inline constexpr Duration kPowerOnWait = std::chrono::microseconds(2400);

// ID register: which member of the family answered.
inline constexpr std::uint8_t kIdTcs34725 = 0x44;  // also TCS34721 (I2C 0x29, 3.3 V bus)
inline constexpr std::uint8_t kIdTcs34727 = 0x4D;  // also TCS34723 (1.8 V bus)
constexpr bool is_tcs3472x_id(std::uint8_t id) {
  return id == kIdTcs34725 || id == kIdTcs34727;
}

// STATUS: AVALID is set once an integration has completed since the ADC was enabled, and clears
// when the chip resets (its power was lost), which is how a sensor that was replugged is noticed.
inline constexpr std::uint8_t kStatusValid = 0x01;
constexpr bool status_valid(std::uint8_t status) {
  return (status & kStatusValid) != 0;
}

// One ADC cycle lasts 2.4 ms; an integration is 1 to 256 of them.
inline constexpr Duration kCycle = std::chrono::microseconds(2400);
inline constexpr int kMinCycles = 1;
inline constexpr int kMaxCycles = 256;

struct Integration {
  int cycles = 1;

  // The nearest whole number of cycles, within 1..256.
  static constexpr Integration nearest(Duration d) {
    const auto n = (d.count() + kCycle.count() / 2) / kCycle.count();
    return {static_cast<int>(std::clamp<Duration::rep>(n, kMinCycles, kMaxCycles))};
  }
  constexpr Duration duration() const { return kCycle * cycles; }
  // ATIME = 256 - cycles (0xFF is one cycle, 0x00 is 256).
  constexpr std::uint8_t atime() const { return static_cast<std::uint8_t>(256 - cycles); }
  // Full scale: 1024 counts per cycle, but the registers are 16 bits.
  constexpr std::uint16_t max_count() const {
    return static_cast<std::uint16_t>(std::min(1024 * cycles, 65535));
  }
  friend constexpr bool operator==(const Integration&, const Integration&) = default;
};

// Analog gain, in CONTROL bits 1:0.
enum class Gain : std::uint8_t { x1 = 0, x4 = 1, x16 = 2, x60 = 3 };
inline constexpr std::array<Gain, 4> kGains = {Gain::x1, Gain::x4, Gain::x16, Gain::x60};

constexpr std::uint8_t control_byte(Gain gain) {
  return static_cast<std::uint8_t>(gain);
}
constexpr int multiplier(Gain gain) {
  constexpr std::array<int, 4> kMultiplier = {1, 4, 16, 60};
  return kMultiplier[static_cast<std::size_t>(gain)];
}
constexpr std::string_view to_string(Gain gain) {
  constexpr std::array<std::string_view, 4> kNames = {"1x", "4x", "16x", "60x"};
  return kNames[static_cast<std::size_t>(gain)];
}
constexpr std::optional<Gain> parse_gain(std::string_view text) {
  for (const Gain g : kGains) {
    if (to_string(g) == text) return g;
  }
  return std::nullopt;
}
constexpr std::optional<Gain> gain_below(Gain gain) {
  if (gain == Gain::x1) return std::nullopt;
  return static_cast<Gain>(static_cast<std::uint8_t>(gain) - 1);
}
constexpr std::optional<Gain> gain_above(Gain gain) {
  if (gain == Gain::x60) return std::nullopt;
  return static_cast<Gain>(static_cast<std::uint8_t>(gain) + 1);
}

// One reading of the four channels, in counts.
struct Crgb {
  std::uint16_t c = 0, r = 0, g = 0, b = 0;
  friend constexpr bool operator==(const Crgb&, const Crgb&) = default;
};

// The 8-byte burst from CDATAL: clear, red, green, blue, each low byte first.
inline constexpr std::size_t kCrgbBytes = 8;
constexpr Crgb decode_crgb(std::span<const std::uint8_t, kCrgbBytes> bytes) {
  const auto word = [&](std::size_t i) { return static_cast<std::uint16_t>(bytes[i] | (bytes[i + 1] << 8)); };
  return {word(0), word(2), word(4), word(6)};
}

// Counts stop meaning light before full scale: below 150 ms of integration the datasheet's "ripple
// saturation" sets in at about 75% of it.
constexpr std::uint16_t saturation_count(Integration integration) {
  const int full = integration.max_count();
  return static_cast<std::uint16_t>(integration.duration() < std::chrono::milliseconds(150) ? full * 3 / 4
                                                                                            : full);
}
// The clear channel sees all the light the colour channels see, so it saturates first.
constexpr bool is_saturated(const Crgb& counts, Integration integration) {
  return counts.c >= saturation_count(integration);
}

// Auto-gain's next gain, given the brightest clear count seen at `gain` (over a window long enough
// to include the LED's lit phases: a dark phase alone must not raise the gain). Down one step as
// soon as the light saturates; up one step only when the brightest light would still be under half
// the saturation count there, so the two rules never undo each other (gains are 4x apart, at most).
constexpr std::optional<Gain> next_gain(Gain gain, std::uint16_t peak_clear, Integration integration) {
  const int limit = saturation_count(integration);
  if (peak_clear >= limit) return gain_below(gain);
  const auto up = gain_above(gain);
  if (up && static_cast<long>(peak_clear) * multiplier(*up) * 2 < static_cast<long>(limit) * multiplier(gain))
    return up;
  return std::nullopt;
}

// Light in units that do not depend on the chip's settings: counts per 2.4 ms cycle at 1x gain. A
// gain change (auto-gain) then does not show as a step in the samples, and a calibration holds for
// any integration time and gain.
constexpr float per_cycle_at_1x(std::uint16_t count, Gain gain, Integration integration) {
  return static_cast<float>(count) / static_cast<float>(multiplier(gain) * integration.cycles);
}

}  // namespace cyanrig::tcs34725
