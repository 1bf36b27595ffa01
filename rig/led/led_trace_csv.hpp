// LED traces on disk and decoded LED states as text: the `cyanrig led decode` file formats.
//
// A trace is a CSV file with the header `t_ms,r,g,b`, optionally with a `c` (clear) column in any
// position after t_ms, then one sample per line. Values are raw sensor counts (TCS34725: 0..65535)
// or 0-1 floats; the decoder does not care which (any value a float holds is taken). Times are
// milliseconds (fractions allowed, at most 1e12), must not go backwards. Blank lines are skipped.
// Problems are listed up to 20, then counted.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/core/diagnostic.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig {

// Reads the trace at `path`. Every problem is reported to `diags` as `file:line:col: message`;
// null when there was any.
std::optional<std::vector<RgbSample>> read_led_trace_csv(const std::string& path, Diagnostics& diags);
// The same from an open stream; `file` names it in diagnostics.
std::optional<std::vector<RgbSample>> parse_led_trace_csv(std::istream& in, const std::string& file,
                                                          Diagnostics& diags);

// One decoded state as a JSON line (no newline), times in whole milliseconds from the run start:
//   {"start_ms":1000,"end_ms":2000,"state":"breathing_cyan"}
// sos adds "code"; cloud_error adds "color" and "count"; unknown adds "rgb":[r,g,b] and, when the
// light was periodic, "period_ms".
std::string led_state_json_line(const LedStateChange& state, Instant end);

}  // namespace cyanrig
