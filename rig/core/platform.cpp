#include "rig/core/platform.hpp"

#include <array>
#include <chrono>

namespace cyanrig {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Keepalive values from the reference: Gen 2 Wi-Fi pings every 15 s with a 10 s ack timeout,
// Gen 3+ Wi-Fi 25 s + 30 s, cellular 23 min (+30 s).
constexpr std::array kPlatforms = {
    Platform{"photon", 6, 2, Radio::wifi, CloudTransport::tcp_5683, seconds(15), seconds(10)},
    Platform{"p1", 8, 2, Radio::wifi, CloudTransport::tcp_5683, seconds(15), seconds(10)},
    Platform{"electron", 10, 2, Radio::cellular, CloudTransport::udp_5684, minutes(23), seconds(30)},
    Platform{"argon", 12, 3, Radio::wifi, CloudTransport::udp_5684, seconds(25), seconds(30)},
    Platform{"boron", 13, 3, Radio::cellular, CloudTransport::udp_5684, minutes(23), seconds(30)},
    Platform{"bsom", 23, 3, Radio::cellular, CloudTransport::udp_5684, minutes(23), seconds(30)},
    Platform{"tracker", 26, 3, Radio::cellular, CloudTransport::udp_5684, minutes(23), seconds(30)},
    Platform{"p2", 32, 4, Radio::wifi, CloudTransport::udp_5684, seconds(25), seconds(30)},
    Platform{"msom", 35, 4, Radio::cellular, CloudTransport::udp_5684, minutes(23), seconds(30)},
};

}  // namespace

std::span<const Platform> all_platforms() {
  return kPlatforms;
}

const Platform* find_platform(std::string_view name) {
  if (name == "photon2") name = "p2";
  for (const Platform& p : kPlatforms) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Platform* find_platform_by_id(int id) {
  for (const Platform& p : kPlatforms) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::string platform_names() {
  std::string out;
  for (const Platform& p : kPlatforms) {
    if (!out.empty()) out += ", ";
    out += p.name;
  }
  return out;
}

std::string_view to_string(Radio r) {
  return r == Radio::wifi ? "wifi" : "cellular";
}

}  // namespace cyanrig
