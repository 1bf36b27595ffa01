// LED trace CSV (rig/led/led_trace_csv): a trace, or `file:line:col` for each problem. Promises:
// samples come back in time order, finite, or there is at least one problem with its position.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

#include "rig/led/led_trace_csv.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  cyanrig::Diagnostics diags;
  const auto samples = cyanrig::parse_led_trace_csv(in, "trace.csv", diags);
  check(samples.has_value() == diags.empty(), "a trace, or problems");
  cyanrig::fuzz::check_positions(diags);
  if (!samples) return 0;
  for (std::size_t i = 0; i < samples->size(); ++i) {
    const auto& s = (*samples)[i];
    check(std::isfinite(s.r) && std::isfinite(s.g) && std::isfinite(s.b) && std::isfinite(s.c),
          "finite values");
    check(i == 0 || (*samples)[i - 1].t <= s.t, "time order");
  }
  return 0;
}
