// Device OS serial log lines -> timeline events (particle-reference.md §3). Pure: tests feed lines.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig {

// `<10-digit ms> [<category>] <LEVEL>: <message>`, possibly behind a prefix a capture tool added
// (host timestamp, "[tty]" tag...).
struct DevosLogLine {
  std::uint64_t device_ms = 0;
  std::string category;
  std::string level;  // TRACE, INFO, WARN, ERROR, PANIC
  std::string message;
};
std::optional<DevosLogLine> split_devos_line(std::string_view line);

struct DevosEvent {
  std::string name;  // device_started, cloud_connected, network_state, ... (issue 3's list)
  std::optional<std::uint64_t> device_ms;
  nlohmann::json fields = nlohmann::json::object();  // e.g. {"from":..,"to":..}, {"code":N}, {"reason":..}
};

class DevosLogParser {
 public:
  // Adds an application pattern: a line whose text matches `regex` becomes event `event_name`;
  // named groups are not supported by std::regex, so numbered groups become fields "1", "2", ...
  void add_pattern(const std::string& regex, const std::string& event_name);
  std::optional<DevosEvent> parse(std::string_view line) const;
  static const std::vector<std::string>& event_names();  // the built-in names

 private:
  struct UserPattern {
    std::regex regex;
    std::string event;
  };
  std::vector<UserPattern> user_;
};

}  // namespace cyanrig
