// The node-exporter textfile collector form (`--textfile PATH`): the exposition written to a
// temporary file beside PATH and renamed over it, so the collector never reads half a file.
#pragma once

#include <filesystem>
#include <string>

namespace cyanrig::monitor {

// Empty on success, otherwise what went wrong (the monitor logs it and keeps going).
std::string write_textfile(const std::filesystem::path& path, const std::string& exposition);

}  // namespace cyanrig::monitor
