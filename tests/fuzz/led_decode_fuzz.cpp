// `cyanrig led decode` end to end: a trace CSV read (rig/led/led_trace_csv), decoded (LedDecoder)
// and written as JSON lines. Promises: states come out in time order, inside the trace.
#include <cstdint>
#include <sstream>
#include <string>

#include "rig/led/led_decoder.hpp"
#include "rig/led/led_trace_csv.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  cyanrig::Diagnostics diags;
  const auto samples = cyanrig::parse_led_trace_csv(in, "trace.csv", diags);
  if (!samples || samples->empty()) return 0;
  cyanrig::LedDecoder decoder;
  auto states = decoder.feed(*samples);
  for (auto& s : decoder.finish()) states.push_back(std::move(s));
  for (std::size_t i = 0; i < states.size(); ++i) {
    check(i == 0 || states[i - 1].start <= states[i].start, "states in time order");
    check(states[i].start <= samples->back().t, "states inside the trace");
    const cyanrig::Instant end = i + 1 < states.size() ? states[i + 1].start : samples->back().t;
    check(!cyanrig::led_state_json_line(states[i], end).empty(), "a JSON line per state");
  }
  return 0;
}
