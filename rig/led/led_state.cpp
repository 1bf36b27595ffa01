#include "rig/led/led_state.hpp"

#include <algorithm>

namespace cyanrig {
namespace {

// The default signals in table order, then the three states that are not steady default signals.
constexpr std::array<std::string_view, kDefaultLedSignals.size() + 3> make_state_names() {
  std::array<std::string_view, kDefaultLedSignals.size() + 3> names{};
  std::size_t i = 0;
  for (const DefaultLedSignal& signal : kDefaultLedSignals) names[i++] = signal.state;
  names[i++] = "sos";
  names[i++] = "cloud_error";
  names[i++] = "unknown";
  return names;
}

constexpr auto kStateNames = make_state_names();

}  // namespace

std::span<const std::string_view> led_state_names() {
  return kStateNames;
}

bool is_led_state_name(std::string_view name) {
  return std::find(kStateNames.begin(), kStateNames.end(), name) != kStateNames.end();
}

}  // namespace cyanrig
