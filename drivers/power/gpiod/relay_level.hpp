// How a relay board turns "this device should be powered" into a GPIO line level.
//
// Two independent facts of the wiring decide it: the board's polarity (many Pi relay HATs and
// opto-isolated boards pull the coil in on a LOW input: active-low) and which contact the device's
// supply runs through (normally-open: powered while the coil is energised; normally-closed: powered
// while it is not). Kept pure so every combination is unit-tested without hardware.
#pragma once

#include <string_view>

#include "rig/capabilities/power.hpp"

namespace cyanrig {

// Which relay contact the device's supply is wired through.
enum class RelayWiring {
  normally_open,    // NO: energised coil = device powered; a dead Pi leaves the device off
  normally_closed,  // NC: energised coil = device unpowered; a dead Pi leaves the device on
};

// The board's input polarity.
enum class RelayPolarity {
  active_high,  // a HIGH line energises the coil
  active_low,   // a LOW line energises the coil
};

struct RelayBoard {
  RelayPolarity polarity = RelayPolarity::active_high;
  RelayWiring wiring = RelayWiring::normally_open;
};

enum class LineLevel { low = 0, high = 1 };

inline std::string_view to_string(LineLevel level) {
  return level == LineLevel::high ? "high" : "low";
}

// True when the relay's coil must be energised for the device to be in `state`.
constexpr bool coil_energised(PowerState state, RelayWiring wiring) {
  return (state == PowerState::on) == (wiring == RelayWiring::normally_open);
}

// The physical level to drive on the board's input line for `state`.
constexpr LineLevel line_level(PowerState state, const RelayBoard& board) {
  const bool energised = coil_energised(state, board.wiring);
  const bool high = energised == (board.polarity == RelayPolarity::active_high);
  return high ? LineLevel::high : LineLevel::low;
}

}  // namespace cyanrig
