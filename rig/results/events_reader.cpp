#include "rig/results/events_reader.hpp"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <stdexcept>

namespace cyanrig {

std::optional<EventKind> event_kind_named(std::string_view name) {
  static constexpr std::array kKinds = {
      EventKind::run,         EventKind::step,      EventKind::power,   EventKind::outage, EventKind::serial,
      EventKind::serial_link, EventKind::devos,     EventKind::led,     EventKind::cloud,  EventKind::mark,
      EventKind::measurement, EventKind::criterion, EventKind::failure, EventKind::note};
  for (const EventKind kind : kKinds) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

std::optional<Event> parse_event_line(std::string_view line) {
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j.contains("kind") || !j.contains("name") ||
      !j["seq"].is_number_unsigned() || !j["kind"].is_string() || !j["name"].is_string())
    return std::nullopt;
  const auto kind = event_kind_named(j["kind"].get<std::string>());
  if (!kind) return std::nullopt;
  Event e;
  e.seq = j["seq"].get<std::uint64_t>();
  e.kind = *kind;
  e.name = j["name"].get<std::string>();
  if (const auto t = j.find("t_ms"); t != j.end() && t->is_number()) {
    e.t = Instant{std::chrono::round<Duration>(std::chrono::duration<double, std::milli>(t->get<double>()))};
  }
  if (const auto d = j.find("device"); d != j.end() && d->is_string()) e.device = d->get<std::string>();
  for (const auto& [key, value] : j.items()) {
    if (key == "seq" || key == "t_ms" || key == "kind" || key == "device" || key == "name") continue;
    if (key == "data" && !value.is_object()) {
      e.data = value;
      continue;
    }
    if (!e.data.is_object()) e.data = nlohmann::json::object();
    e.data[key.rfind("data.", 0) == 0 ? key.substr(5) : key] = value;
  }
  return e;
}

std::size_t read_events_jsonl(const std::filesystem::path& file,
                              const std::function<void(const Event&)>& each) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", file.string()));
  std::size_t skipped = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (auto e = parse_event_line(line)) {
      each(*e);
    } else {
      ++skipped;
    }
  }
  return skipped;
}

}  // namespace cyanrig
