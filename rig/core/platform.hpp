// The Particle platforms of ../shared/particle-reference.md section 1, with the timing facts
// that scenarios and the simulated rack depend on.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"

namespace cyanrig {

enum class Radio { wifi, cellular };
enum class CloudTransport { tcp_5683, udp_5684 };

struct Platform {
  std::string_view name;  // photon, argon, boron, p2, ...
  int id;                 // Particle platform id
  int generation;         // 2, 3 or 4
  Radio radio;
  CloudTransport transport;
  Duration keepalive;  // ping interval the device uses while idle
  Duration keepalive_ack_timeout;

  bool cellular() const { return radio == Radio::cellular; }
  // How long a silent connection takes to be noticed by the device (keepalive + ack timeout).
  Duration loss_detection() const { return keepalive + keepalive_ack_timeout; }
};

std::span<const Platform> all_platforms();
// Accepts the names of the reference table and "photon2" as an alias of p2.
const Platform* find_platform(std::string_view name);
// By Particle platform id (a module header's platform_id); null for an id the table does not have.
const Platform* find_platform_by_id(int id);
std::string platform_names();  // "photon, p1, ..." for error messages

std::string_view to_string(Radio r);

}  // namespace cyanrig
