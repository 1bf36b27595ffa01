#include "drivers/led/tcs34725/bus_port.hpp"

#include <array>

namespace cyanrig {
namespace {

constexpr std::uint8_t kUnknown = 0xFF;

I2cResult write_channel_byte(I2cBus& bus, I2cAddress mux, std::uint8_t byte) {
  const std::array<std::uint8_t, 1> out = {byte};
  return bus.write(mux, out);
}

}  // namespace

I2cResult BusPort::route(const std::optional<MuxChannel>& mux) {
  for (auto& [address, byte] : connected_) {
    if (byte == tca9548a::kNoChannel || (mux && mux->address == address)) continue;
    if (auto error = write_channel_byte(bus_, address, tca9548a::kNoChannel)) return error;
    byte = tca9548a::kNoChannel;
  }
  if (!mux) return std::nullopt;
  const std::uint8_t byte = tca9548a::channel_byte(mux->channel);
  // Until it acknowledges, its channels are unknown: treated as open, so other routes close them.
  connected_[mux->address] = kUnknown;
  if (auto error = write_channel_byte(bus_, mux->address, byte)) return error;
  connected_[mux->address] = byte;
  return std::nullopt;
}

}  // namespace cyanrig
