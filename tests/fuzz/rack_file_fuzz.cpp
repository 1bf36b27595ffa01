// Rack files (rig/rack, rig/yaml): a rack, or every problem as `file:line:col`; then every backend
// it names checks its parameters (without touching hardware). Promises: problems have a position
// and a message.
#include <cstdint>
#include <string>

#include "drivers/all_backends.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  cyanrig::Diagnostics diags;
  const auto rack = cyanrig::parse_rack(text, "fuzz.yaml", diags);
  cyanrig::fuzz::check(rack.has_value() == diags.empty(), "a rack, or problems");
  cyanrig::fuzz::check_positions(diags);
  if (!rack) return 0;
  cyanrig::Diagnostics backend_diags;
  cyanrig::validate_rack_backends(*rack, cyanrig::all_backends(), backend_diags);
  cyanrig::fuzz::check_positions(backend_diags);
  cyanrig::rack_is_simulated(*rack, cyanrig::all_backends());
  return 0;
}
