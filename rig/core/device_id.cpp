#include "rig/core/device_id.hpp"

#include <cctype>

namespace cyanrig {

std::optional<DeviceId> DeviceId::parse(std::string_view text) {
  if (text.size() != 24) return std::nullopt;
  std::string out;
  out.reserve(24);
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return DeviceId(std::move(out));
}

}  // namespace cyanrig
