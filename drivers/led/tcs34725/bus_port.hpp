// A bus as the sensors on it share it: the raw I2cBus plus what the TCA9548A multiplexers on it
// have connected. Only one thread uses a BusPort at a time (SensorBus holds its lock).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "drivers/led/tcs34725/i2c_bus.hpp"
#include "drivers/led/tcs34725/tca9548a.hpp"

namespace cyanrig {

// Which multiplexer channel a sensor sits behind.
struct MuxChannel {
  I2cAddress address = tca9548a::kFirstAddress;
  unsigned channel = 0;
  friend bool operator==(const MuxChannel&, const MuxChannel&) = default;
};

class BusPort {
 public:
  explicit BusPort(I2cBus& bus) : bus_(bus) {}

  I2cBus& bus() { return bus_; }

  // Connects the bus to `mux` (or to no multiplexer channel at all, for a sensor wired to the bus
  // directly) before a sensor is addressed. Every multiplexer this port left connected elsewhere is
  // disconnected first, since two TCS34725s on one segment both answer at 0x29 and corrupt each
  // other's data. The own channel is written every time, even if it should still be selected: a
  // multiplexer that browned out comes back with every channel off.
  I2cResult route(const std::optional<MuxChannel>& mux);

 private:
  I2cBus& bus_;
  std::map<I2cAddress, std::uint8_t> connected_;  // multiplexer -> channel byte it was last given
};

}  // namespace cyanrig
