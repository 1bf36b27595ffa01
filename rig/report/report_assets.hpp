// The report's own script and style sheet, inlined into every report.html (no files, no network).
#pragma once

#include <string_view>

namespace cyanrig {

std::string_view report_script();  // report_script.cpp
std::string_view report_style();   // report_style.cpp

}  // namespace cyanrig
