// Device OS facts the simulated devices print and report (particle-reference.md §1, §3, §6; codes
// from device-os hal/inc/core_hal.h `System_Reset_Reason` and services/inc/system_error.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rig/core/platform.hpp"

namespace cyanrig::sim {

// Last reset reasons as Device OS numbers them; the cloud publishes the names in
// spark/device/last_reset.
enum class ResetReason : int {
  pin_reset = 20,
  power_management = 30,  // woke from HIBERNATE sleep
  power_down = 40,        // power applied
  watchdog = 60,
  update = 70,  // reset into new firmware after an OTA
  panic = 130,  // data: the panic code
  user = 140,   // System.reset()
};
std::string_view reset_reason_name(ResetReason reason);

struct LastReset {
  ResetReason reason = ResetReason::power_down;
  std::uint32_t data = 0;
  // As spark/device/last_reset carries it: "power_down", "panic, stack_overflow", ...
  std::string cloud_text() const;
};

// The SOS panic codes of §2 as device-os services/inc/panic_codes.h names them, in snake case
// ("hard_fault", "stack_overflow", ...); "code_<n>" for others.
std::string panic_name(int code);

// system_error.h codes used in `Cloud handshake failed, code=` and `Handling cloud error:`.
namespace system_error {
constexpr int kTimeout = -160;
constexpr int kIo = -220;
constexpr int kNetwork = -230;
constexpr int kProtocol = -240;
}  // namespace system_error

// POSIX socket errors a Gen 2 TCP connect reports in `Cloud socket connection failed:`.
namespace socket_error {
constexpr int kTimedOut = -110;     // ETIMEDOUT: the outage drops the SYN
constexpr int kUnreachable = -113;  // EHOSTUNREACH: the outage rejects it
}  // namespace socket_error

// `Unable to resolve IP for <host> (-2)`: the resolver's "no such name" code.
constexpr int kResolveFailed = -2;

// §1: the host a device looks up: `<deviceid>.udp.particle.io`, or the shared TCP host on Gen 2 Wi-Fi.
std::string cloud_host(const Platform& platform, std::string_view device_id);

// The network interface Device OS names in `net.ifapi` lines: wl3 (Wi-Fi), pp3 (cellular PPP).
std::string_view interface_name(const Platform& platform);

// Device OS version a simulated device reports: Gen 2 stops at 3.x (§1); the reference's tags.
std::string_view system_firmware_version(const Platform& platform);

}  // namespace cyanrig::sim
