// Flaky devices: a device whose recent results for a scenario are mixed (some repeats passed, some
// failed on the device's account) fails "one night in five" and is marked so it is not mistaken for
// a solid failure or a solid pass.
#pragma once

#include <string>
#include <vector>

#include "rig/history/run_history.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig {

struct FlakyDevice {
  std::string device;
  int passed = 0;  // repeats that passed
  int failed = 0;  // repeats that failed with a device failure
  int runs = 0;    // runs looked at (this one included)
};

// Looks at the device's repeats in `run` and in the `window` - 1 runs of the same scenario recorded
// before it. Failures of another class (the lab's, the scenario's) say nothing about the device and
// are left out. Devices in `run`'s order.
std::vector<FlakyDevice> find_flaky(RunHistory& history, const RecordedRun& run, int window);

}  // namespace cyanrig
