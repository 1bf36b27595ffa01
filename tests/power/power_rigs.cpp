#include "power_rigs.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "drivers/power/command/command_power.hpp"
#include "drivers/power/sim/sim_power.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::power_testing {
namespace {

using namespace std::chrono_literals;

}  // namespace

Rack one_device_rack(const BackendSpec& power, PowerState safe_power) {
  Rack rack;
  rack.name = "power-test";
  rack.file = "rack.yaml";
  rack.safe_power = safe_power;
  rack.segments.push_back(Segment{.name = "lab", .outages = {backend_spec("{backend: sim}")}});
  RackDevice device;
  device.name = "dut";
  device.id = *DeviceId::parse("e00fce68aabbccddeeff0011");
  device.platform = find_platform("argon");
  device.segment = "lab";
  device.power = power;
  rack.devices.push_back(device);
  return rack;
}

std::vector<std::string> validation_errors(const BackendFactory<PowerSwitch>& factory,
                                           const BackendSpec& spec) {
  const Rack rack = one_device_rack(spec);
  Diagnostics diags;
  factory.validate({*rack.devices[0].power, &rack.devices[0]}, diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

Done Answers::next() {
  return [this](Status status) { got_.push_back(std::move(status)); };
}

std::optional<Status> set_and_wait(Clock& clock, PowerSwitch& power, PowerState state, Duration limit) {
  Answers answers;
  power.set(state, answers.next());
  if (!run_until(
          clock, [&] { return answers.count() == 1; }, limit))
    return std::nullopt;
  return answers.got().front();
}

namespace {

class SimPowerRig final : public PowerRig {
 public:
  SimPowerRig()
      : clock_(make_virtual_clock()),
        rack_(one_device_rack(backend_spec("{backend: sim}"))),
        context_(*clock_, rack_, 7),
        power_(make_switch()) {}

  Clock& clock() override { return *clock_; }
  PowerSwitch& power() override { return *power_; }
  std::optional<PowerState> observed() override {
    return sim::SimWorld::of(context_)->find_device("dut")->powered() ? PowerState::on : PowerState::off;
  }
  std::unique_ptr<PowerSwitch> failing_switch() override { return nullptr; }
  Duration answer_limit() const override { return 1s; }

 private:
  std::unique_ptr<PowerSwitch> make_switch() {
    const BackendFactory<PowerSwitch> factory = sim::sim_power_backend();
    const RackDevice& device = rack_.devices[0];
    return factory.create({*device.power, &device}, context_);
  }

  std::unique_ptr<Clock> clock_;
  Rack rack_;
  BackendContext context_;
  std::unique_ptr<PowerSwitch> power_;
};

class CommandPowerRig final : public PowerRig {
 public:
  CommandPowerRig()
      : clock_(make_steady_clock()),
        state_file_(dir_.path() / "supply"),
        rack_(one_device_rack(backend_spec(fmt::format(
            R"({{backend: command, on: "echo on > '{0}'", off: "echo off > '{0}'", status: "grep -qx on '{0}'",
                 timeout: 5s}})",
            state_file_.string())))),
        context_(*clock_, rack_, 7),
        power_(make_switch(*rack_.devices[0].power)) {}

  Clock& clock() override { return *clock_; }
  PowerSwitch& power() override { return *power_; }
  std::optional<PowerState> observed() override {
    std::ifstream in(state_file_);
    std::string word;
    if (!(in >> word)) return std::nullopt;
    return word == "on" ? PowerState::on : PowerState::off;
  }
  std::unique_ptr<PowerSwitch> failing_switch() override {
    return make_switch(
        backend_spec(R"({backend: command, on: "echo 'relay board not found' >&2; exit 3", off: "exit 3"})"));
  }
  Duration answer_limit() const override { return 10s; }

 private:
  std::unique_ptr<PowerSwitch> make_switch(const BackendSpec& spec) {
    return command_power_backend().create({spec, &rack_.devices[0]}, context_);
  }

  TempDir dir_;
  std::unique_ptr<Clock> clock_;
  std::filesystem::path state_file_;
  Rack rack_;
  BackendContext context_;
  std::unique_ptr<PowerSwitch> power_;
};

}  // namespace

std::unique_ptr<PowerRig> make_sim_power_rig() {
  return std::make_unique<SimPowerRig>();
}
std::unique_ptr<PowerRig> make_command_power_rig() {
  return std::make_unique<CommandPowerRig>();
}

}  // namespace cyanrig::power_testing
