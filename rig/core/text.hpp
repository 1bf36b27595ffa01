// Small text helpers shared by the readers of log lines, token files and API answers.
#pragma once

#include <string>
#include <string_view>

namespace cyanrig {

// `text` without leading and trailing white space.
std::string_view trim(std::string_view text);
// `text` in lower (or upper) case, ASCII letters only.
std::string lower(std::string_view text);
std::string upper(std::string_view text);

}  // namespace cyanrig
