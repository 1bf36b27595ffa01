// Device OS serial logs (rig/devos): a captured log through `cyanrig log parse`'s path (framing,
// header, built-in rules, an application pattern), and each line through the line splitter.
// Promises: every output line is a JSON object whose `line` grows, and names a known event.
#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>

#include "rig/devos/log_capture.hpp"
#include "rig/devos/log_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

const cyanrig::DevosLogParser& parser() {
  static const cyanrig::DevosLogParser kParser = [] {
    cyanrig::DevosLogParser built;
    built.add_pattern(R"(app state (\w+) after (\d+) ms)", "app_state");
    return built;
  }();
  return kParser;
}

bool known_event(const std::string& name) {
  const auto& names = cyanrig::DevosLogParser::event_names();
  return name == "app_state" || std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  const std::string text(reinterpret_cast<const char*>(data), size);

  std::istringstream in(text);
  std::ostringstream out;
  cyanrig::parse_log_stream(in, out, parser());
  std::istringstream records(out.str());
  std::int64_t last_line = 0;
  for (std::string record; std::getline(records, record);) {
    const auto json = nlohmann::json::parse(record, nullptr, false);
    check(json.is_object(), "log parse writes one JSON object per line");
    check(json["line"].is_number_integer() && json["line"].get<std::int64_t>() > last_line,
          "line numbers grow");
    last_line = json["line"].get<std::int64_t>();
    check(json["event"].is_string() && known_event(json["event"].get<std::string>()), "a known event");
  }

  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (const auto split = cyanrig::split_devos_line(line)) {
      check(split->level == "TRACE" || split->level == "INFO" || split->level == "WARN" ||
                split->level == "ERROR" || split->level == "PANIC",
            "the level is one of Device OS's");
    }
    if (const auto event = parser().parse(line)) check(known_event(event->name), "a known event");
  }
  return 0;
}
