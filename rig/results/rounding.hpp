// Numbers in result files are rounded before printing so the same run always gives the same bytes
// and readers see 1234.567, not 1234.5670000000001.
#pragma once

#include <cmath>

namespace cyanrig {

constexpr int kMsDecimals = 3;     // the run clock counts microseconds
constexpr int kValueDecimals = 6;  // a microsecond when a measurement's unit is seconds

inline double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale + 0.0;  // + 0.0 turns -0 into 0
}

}  // namespace cyanrig
