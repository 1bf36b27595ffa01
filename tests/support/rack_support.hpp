// Test helpers for backends: backend blocks written as YAML, and a loop runner that stops on a
// condition.
#pragma once

#include <functional>
#include <string>

#include "rig/clock.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::test {

// A backend block as the rack reader makes it from `yaml` (a flow mapping such as
// "{backend: gpiod, line: 17}"), positioned in `file` so diagnostics carry file:line:col.
BackendSpec backend_spec(const std::string& yaml, const std::string& file = "rack.yaml");

// Runs the clock's loop until `done()` or `limit` passes; returns done().
bool run_until(Clock& clock, const std::function<bool()>& done, Duration limit);

}  // namespace cyanrig::test
