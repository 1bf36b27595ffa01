// What the subsystems of one simulated device share: the run's clock, the device's identity and
// platform, its timing and random stream, its serial log, its status LED and its network segment.
// The device owns all of these; its subsystems borrow them for the device's lifetime.
#pragma once

#include "drivers/sim/network_segment.hpp"
#include "drivers/sim/random.hpp"
#include "drivers/sim/status_led.hpp"
#include "drivers/sim/timing.hpp"
#include "drivers/sim/usb_serial.hpp"
#include "rig/clock.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::sim {

// Device OS log categories (particle-reference.md §3).
namespace category {
constexpr std::string_view kSystem = "system";
constexpr std::string_view kNetworkManager = "system.nm";
constexpr std::string_view kNetworkInterface = "net.ifapi";
constexpr std::string_view kHandshake = "comm.protocol.handshake";
constexpr std::string_view kOta = "comm.ota";
constexpr std::string_view kApp = "app";  // the application's own Log lines
}  // namespace category

struct DeviceParts {
  Clock& clock;
  const RackDevice& device;
  const Platform& platform;
  const DeviceTiming& timing;
  Random& random;
  DeviceLog& log;
  StatusLed& led;
  NetworkSegment& segment;

  Duration draw(const Span& span) const { return random.in(span); }
};

}  // namespace cyanrig::sim
