// What the outage tests share: racks with a segment `lab` (and `other`) built from YAML backend
// blocks, a loop runner, and a rig that drives one rack's outage backends on a steady clock and
// waits for their answers.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "tests/support/rack_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::outage_testing {

using test::backend_spec;
using test::run_until;
using test::TempDir;

struct LabDevice {
  std::string name;
  std::string ip;
  std::string mac;
  std::string segment = "lab";
};

// A rack with segments `lab`, `other` and any other its devices name, all using the outage backend
// `outage_yaml`.
Rack lab_rack(const std::string& outage_yaml, const std::vector<LabDevice>& devices);

// The errors validate() reports for the outage backend `yaml` on segment `lab`.
std::vector<std::string> validation_errors(const std::string& yaml);
// The modes the registered backend declares for `yaml`.
std::vector<OutageMode> modes_of(const std::string& yaml);

// The outage backends of a lab rack, built as a run builds them (one BackendContext, so segments
// share what their backends share), with their effects collected.
class OutageRig {
 public:
  OutageRig(const std::string& outage_yaml, std::vector<LabDevice> devices);
  ~OutageRig();

  Clock& clock() { return *clock_; }
  OutageSwitch& outage(const std::string& segment = "lab");

  // The fault message, "" for success; fails the test when there is no answer in time.
  std::string start(const OutageSpec& spec, const std::string& segment = "lab");
  std::string stop(const std::string& segment = "lab");
  // What the engine calls every kOutageHoldPeriod while an outage is in force.
  std::string hold(const std::string& segment = "lab");
  // What sweep() removed, "" for nothing; a fault as "fault: <message>".
  std::string sweep(const std::string& segment = "lab");
  // Every segment's sweep at once, as the engine asks before a run: segment -> what sweep() said.
  std::map<std::string, std::string> sweep_all();
  OutageStatus inspect(const std::string& segment = "lab");

  // Runs the loop until the segment's backend has reported an effect for `device`.
  std::optional<OutageEffect> wait_for_effect(const std::string& device, Duration limit,
                                              const std::string& segment = "lab");

 private:
  // Runs `ask` and the loop until it answers: the fault message, "" for success.
  std::string request(const std::string& what, const std::function<void(Done)>& ask);

  std::unique_ptr<Clock> clock_;
  std::unique_ptr<Rack> rack_;
  std::unique_ptr<BackendContext> context_;
  std::map<std::string, std::unique_ptr<OutageSwitch>> outages_;
  std::map<std::string, std::vector<OutageEffect>> effects_;
};

}  // namespace cyanrig::outage_testing
