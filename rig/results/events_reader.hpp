// Reading events.jsonl back into events, as write_event_jsonl wrote them (docs/results.md): for
// folding an aborted run's results again, and for tools that read a results folder.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "rig/timeline.hpp"

namespace cyanrig {

std::optional<EventKind> event_kind_named(std::string_view name);

// One line of events.jsonl; empty when the line is not an event (a line cut short by a kill).
std::optional<Event> parse_event_line(std::string_view line);

// Calls `each` for every event in the file, in order; returns how many lines were not events.
// Throws std::runtime_error when the file cannot be read.
std::size_t read_events_jsonl(const std::filesystem::path& file,
                              const std::function<void(const Event&)>& each);

}  // namespace cyanrig
