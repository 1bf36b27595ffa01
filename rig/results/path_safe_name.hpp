// File and folder names built from user-chosen names (scenario, device).
#pragma once

#include <string>
#include <string_view>

namespace cyanrig {

// A single path component that keeps letters, digits, '.', '_' and '-'; every run of other bytes
// (spaces, slashes, non-ASCII) becomes one '_'. A leading '.' becomes '_' so the result is never
// hidden, "." or "..". Empty input gives "_". At most 100 bytes, well under every filesystem's limit.
std::string path_safe_name(std::string_view name);

}  // namespace cyanrig
