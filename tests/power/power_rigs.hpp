// What the power tests share: a rack with one device, backend blocks written as YAML, a loop runner
// that stops on a condition, a temporary folder, and one-device rigs for each power backend that
// can run on this machine (the conformance suite runs against all of them).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "tests/support/rack_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::power_testing {

using test::backend_spec;
using test::run_until;
using test::TempDir;

// A rack with the one device "dut" (an Argon on segment "lab") whose power is `power`.
Rack one_device_rack(const BackendSpec& power, PowerState safe_power = PowerState::off);

// The errors a backend's validate() reports for `spec` on the rack's device.
std::vector<std::string> validation_errors(const BackendFactory<PowerSwitch>& factory,
                                           const BackendSpec& spec);

// Collects set() answers in the order they arrive.
class Answers {
 public:
  Done next();
  const std::vector<Status>& got() const { return got_; }
  std::size_t count() const { return got_.size(); }

 private:
  std::vector<Status> got_;
};

// Sets `state` on `power` and runs the loop until it answers (or `limit`): the answer, if any.
std::optional<Status> set_and_wait(Clock& clock, PowerSwitch& power, PowerState state, Duration limit);

// One device's power, through one backend, plus a way to see what the supply really did.
class PowerRig {
 public:
  virtual ~PowerRig() = default;
  virtual Clock& clock() = 0;
  virtual PowerSwitch& power() = 0;
  // The supply as the test can observe it behind the backend; nothing before the first set.
  virtual std::optional<PowerState> observed() = 0;
  // A switch of the same backend whose every set() fails, or null when the backend has no way to fail.
  virtual std::unique_ptr<PowerSwitch> failing_switch() = 0;
  // How long one answer may take on this rig's clock.
  virtual Duration answer_limit() const = 0;
};

// `sim` on the virtual clock: the simulated device's supply.
std::unique_ptr<PowerRig> make_sim_power_rig();
// `command` on the steady clock: shell commands writing "on"/"off" into a file, `status` reading it.
std::unique_ptr<PowerRig> make_command_power_rig();

}  // namespace cyanrig::power_testing
