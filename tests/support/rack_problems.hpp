// What `cyanrig validate` would print for a rack given as text: every problem reading it and
// validating its backends finds, as `file:line:col: message`.
#pragma once

#include <string>
#include <vector>

#include "rig/rack/rack_file.hpp"

namespace cyanrig::test {

inline std::vector<std::string> rack_problems(const std::string& yaml, const std::string& file,
                                              const BackendRegistry& registry) {
  Diagnostics diags;
  if (const auto rack = parse_rack(yaml, file, diags)) validate_rack_backends(*rack, registry, diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

}  // namespace cyanrig::test
