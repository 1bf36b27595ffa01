// `cyanrig log parse FILE`: a captured serial log -> one JSON object per recognised event.
#pragma once

#include <iosfwd>

#include "rig/devos/log_parser.hpp"

namespace cyanrig {

// Reads the whole stream and writes, for each line the parser recognises, one line
//   {"line":12,"device_ms":6687,"event":"cloud_connecting", ...fields}
// `line` is 1-based; `device_ms` is left out when the line had no Device OS ms counter.
// Lines are framed exactly like a live serial port (LineFramer: CR, LF and CRLF each end one line,
// invalid UTF-8 bytes become \xNN), so a raw capture with CR-only endings or binary noise parses
// the same way as the port did; a file saved with LF or CRLF endings numbers lines as an editor
// does. A line longer than 1 MiB counts once; only its first MiB is parsed.
void parse_log_stream(std::istream& in, std::ostream& out, const DevosLogParser& parser);

}  // namespace cyanrig
