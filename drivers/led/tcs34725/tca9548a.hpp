// The TCA9548A I2C multiplexer: eight downstream channels behind one address (0x70-0x77, set by
// its A0-A2 pins). Its only register is the channel mask: writing 1 << n connects channel n,
// writing 0 disconnects every channel.
#pragma once

#include <cstdint>

#include "drivers/led/tcs34725/i2c_bus.hpp"

namespace cyanrig::tca9548a {

inline constexpr I2cAddress kFirstAddress{0x70};
inline constexpr I2cAddress kLastAddress{0x77};
inline constexpr unsigned kChannels = 8;
inline constexpr std::uint8_t kNoChannel = 0x00;

constexpr bool is_mux_address(I2cAddress address) {
  return address >= kFirstAddress && address <= kLastAddress;
}
constexpr std::uint8_t channel_byte(unsigned channel) {
  return static_cast<std::uint8_t>(1U << channel);
}

}  // namespace cyanrig::tca9548a
