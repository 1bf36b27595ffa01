// UTF-8 for text that comes from outside (serial lines, trace files, messages that quote them):
// valid sequences pass, anything else is made visible and harmless.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cyanrig {

// The longest UTF-8 sequence, in bytes.
inline constexpr std::size_t kMaxUtf8Sequence = 4;

// Makes arbitrary bytes valid UTF-8: valid sequences pass (overlong forms, surrogates and code
// points past U+10FFFF are not valid), every other byte becomes "\xNN" (two lower-case hex digits).
std::string escape_invalid_utf8(std::string_view bytes);

// escape_invalid_utf8, and control characters (other than tab) as "\xNN" too: text from a file or
// a device that is safe to quote in a message on a terminal.
std::string printable_text(std::string_view bytes);

// How many bytes at the end start a valid sequence that has not finished arriving (0 to 3).
std::size_t utf8_incomplete_tail(std::string_view bytes);

}  // namespace cyanrig
