#include "rig/history/device_os_version.hpp"

#include <regex>

namespace cyanrig {

std::string device_os_version_in(const std::vector<SerialLine>& lines) {
  // Log strings drift between Device OS versions: match loosely.
  static const std::regex version(
      R"((?:device\s*os|system\s*(?:firmware\s*)?version|deviceos)[^0-9\r\n]{0,16}v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?))",
      std::regex::icase);
  std::string found;
  std::smatch m;
  for (const SerialLine& line : lines) {
    if (std::regex_search(line.text, m, version)) found = m[1].str();
  }
  return found;
}

std::string device_os_version_in(const RecordedEvent& event) {
  for (const char* key : {"system_firmware_version", "system_version", "device_os"}) {
    const auto it = event.data.find(key);
    if (it != event.data.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  return {};
}

}  // namespace cyanrig
