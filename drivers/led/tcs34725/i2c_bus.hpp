// An I2C bus as the sensor drivers see it: one combined write-then-read transaction, or a write.
//
// Kept apart from Linux so the TCS34725 and TCA9548A glue is tested against a scripted bus
// (tests/ledhw/scripted_i2c_bus.hpp) that checks every transaction, and runs on the real thing
// through I2cDevBus (i2c_dev_bus.hpp).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace cyanrig {

// A 7-bit I2C address ("0x29"): a strong type, so an address is never taken for a register or a
// channel number.
struct I2cAddress {
  std::uint8_t value = 0;

  std::string to_string() const;  // "0x29"
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 in a defaulted <=>
  friend auto operator<=>(const I2cAddress&, const I2cAddress&) = default;
};

// Why a transaction failed. `no_answer` is the NACK case: nothing acknowledged `address` (unplugged,
// unpowered, wrong address, or a multiplexer channel that leads elsewhere).
struct I2cError {
  I2cAddress address;
  bool no_answer = false;
  std::string text;  // "no answer at 0x29", "bus timed out (...)"
};

using I2cResult = std::optional<I2cError>;  // empty = done

class I2cBus {
 public:
  virtual ~I2cBus() = default;

  // Writes `out` to `address`, then (repeated start, no stop in between) reads `in.size()` bytes:
  // one transaction, so no other master or thread can slip in between register pointer and data.
  virtual I2cResult transfer(I2cAddress address, std::span<const std::uint8_t> out,
                             std::span<std::uint8_t> in) = 0;
  virtual I2cResult write(I2cAddress address, std::span<const std::uint8_t> out) = 0;
  // The bus in the rack file's words: "/dev/i2c-1".
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
