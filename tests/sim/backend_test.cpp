// The sim backends as the registry hands them out: registration, parameter checks, callbacks on the
// loop, outage switching.
#include <gtest/gtest.h>

#include <chrono>

#include "drivers/all_backends.hpp"
#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(SimBackends, EveryCapabilityHasASimBackendInTheBuiltinRegistry) {
  const BackendRegistry& registry = all_backends();
  EXPECT_NE(registry.find<PowerSwitch>("sim"), nullptr);
  EXPECT_NE(registry.find<SerialPort>("sim"), nullptr);
  EXPECT_NE(registry.find<ColourSensor>("sim"), nullptr);
  EXPECT_NE(registry.find<OutageSwitch>("sim"), nullptr);
  EXPECT_NE(registry.find<Cloud>("sim"), nullptr);
  EXPECT_TRUE(registry.find<PowerSwitch>("sim")->virtual_time);
  EXPECT_TRUE(registry.find<Cloud>("sim")->virtual_time);
  EXPECT_FALSE(registry.find<PowerSwitch>("gpiod")->virtual_time);
}

TEST(SimBackends, PowerValidationReportsUnknownParametersAndFaults) {
  const BackendRegistry& registry = all_backends();
  RackDevice device;
  device.name = "dut";
  device.platform = find_platform("argon");
  device.faults = {fault("orphan_after_outag", 1.0)};
  const BackendSpec spec = sim_spec("relay: 3");
  Diagnostics diags;
  registry.find<PowerSwitch>("sim")->validate({spec, &device, nullptr}, diags);
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_NE(diags.items()[0].message.find("unknown field 'relay'"), std::string::npos);
  EXPECT_EQ(diags.items()[0].to_string().substr(0, 12), "rack.yaml:1:");
  EXPECT_NE(diags.items()[1].message.find("did you mean 'orphan_after_outage'"), std::string::npos);

  Diagnostics clean;
  device.faults = {fault("bad_keys", 0.5)};
  const BackendSpec plain = sim_spec();
  registry.find<PowerSwitch>("sim")->validate({plain, &device, nullptr}, clean);
  registry.find<SerialPort>("sim")->validate({plain, &device, nullptr}, clean);
  registry.find<Cloud>("sim")->validate({plain}, clean);
  EXPECT_TRUE(clean.empty());
}

TEST(SimBackends, ASimSerialPortNeedsASimulatedDevice) {
  auto clock = make_virtual_clock();
  Rack rack;
  RackDevice device;
  device.name = "real";
  device.platform = find_platform("argon");
  device.power = BackendSpec{"gpiod", YAML::Load("{backend: gpiod}"), {}};
  device.serial = sim_spec();
  rack.devices.push_back(device);
  BackendContext context(*clock, rack, 1);
  const auto* factory = all_backends().find<SerialPort>("sim");
  EXPECT_THROW(factory->create({*rack.devices[0].serial, &rack.devices[0]}, context), std::runtime_error);
}

TEST(SimBackends, DoneCallbacksRunOnTheLoopAndOutagesSwitchIdempotently) {
  auto clock = make_virtual_clock();
  Rack rack;
  rack.segments.push_back(Segment{.name = "lab", .outages = {sim_spec()}});
  RackDevice device;
  device.name = "dut";
  device.id = *DeviceId::parse("e00fce680000000000000001");
  device.platform = find_platform("argon");
  device.segment = "lab";
  device.power = sim_spec();
  rack.devices.push_back(device);
  BackendContext context(*clock, rack, 1);
  const BackendRegistry& registry = all_backends();
  auto power = registry.find<PowerSwitch>("sim")->create({*rack.devices[0].power, &rack.devices[0]}, context);
  auto outage = registry.find<OutageSwitch>("sim")->create(
      {rack.segments[0].outages.front(), nullptr, &rack.segments[0]}, context);
  int done = 0;
  power->set(PowerState::on, [&](Status s) { done += !s.ok() ? 100 : 1; });
  outage->start({OutageMode::link, OutageAction::reject}, [&](Status s) { done += !s.ok() ? 100 : 1; });
  EXPECT_EQ(done, 0);  // never inside the call
  EXPECT_TRUE(outage->active());
  outage->stop([&](Status s) { done += !s.ok() ? 100 : 1; });
  outage->stop([&](Status s) { done += !s.ok() ? 100 : 1; });
  EXPECT_FALSE(outage->active());
  Timer stop = clock->after(seconds(1), [&] { clock->stop(); });
  clock->run();
  EXPECT_EQ(done, 4);
  EXPECT_EQ(SimWorld::of(context)->find_device("dut")->state(), "booting");
  EXPECT_NE(power->describe().find("dut"), std::string::npos);
  EXPECT_NE(outage->describe().find("lab"), std::string::npos);
}

// Fixed epoch plus the run's clock, so a seeded run's events are byte-reproducible.
TEST(SimCloudTime, PublishedAtIsIso8601FromTheFixedEpoch) {
  using namespace std::chrono;
  EXPECT_EQ(SimParticleCloud::timestamp(run_start()), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(SimParticleCloud::timestamp(run_start() + hours(1) + minutes(2) + milliseconds(3456)),
            "2030-01-01T01:02:03.456Z");
  EXPECT_EQ(SimParticleCloud::timestamp(run_start() + days(45) + microseconds(999)),
            "2030-02-15T00:00:00.000Z");

  SimRig rig({{.name = "dut", .platform = "argon"}});
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(1)));
  rig.advance(seconds(1));
  const auto online = rig.find_event("spark/status", "online");
  ASSERT_TRUE(online);
  EXPECT_EQ(online->event.published_at, SimParticleCloud::timestamp(online->t));
}

}  // namespace
}  // namespace cyanrig::sim::testing
