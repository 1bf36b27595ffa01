// The rack file `cyanrig sim serve --write-rack` writes: it must read back as a rack whose devices
// use the real backends, pointed at the served rack.
#include "drivers/sim/serve/served_rack_file.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/power/command/command_power.hpp"
#include "drivers/serial/tty/tty_port.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::sim {
namespace {

using ::testing::HasSubstr;

std::vector<ServedDevice> served_devices(const Rack& rack) {
  std::vector<ServedDevice> out;
  int n = 10;
  for (const RackDevice& d : rack.devices)
    out.push_back({d.name, d.id.str(), fmt::format("/dev/pts/{}", n++)});
  return out;
}

// The real power and serial backends, and stand-ins that accept any parameters for the cloud and
// outage backends other people write.
BackendRegistry registry() {
  BackendRegistry r;
  r.add<PowerSwitch>("command", command_power_backend());
  r.add<SerialPort>("tty", tty_serial_backend());
  r.add<Cloud>("particle", BackendFactory<Cloud>{});
  r.add<OutageSwitch>("command", BackendFactory<OutageSwitch>{});
  return r;
}

const ServedRackFile kFile{.cyanrig = "/opt/it's/cyanrig",
                           .url = "http://127.0.0.1:4567",
                           .token_file = "/tmp/served.token",
                           .command_outage = true};

TEST(ServedRackFile, ReadsBackAsARackOfRealBackendsPointedAtTheServedRack) {
  const Rack source = builtin_sim_rack();
  const std::string yaml = served_rack_yaml(source, served_devices(source), kFile);
  Diagnostics diags;
  const auto rack = parse_rack(yaml, "served.yaml", diags);
  ASSERT_TRUE(rack) << yaml;
  validate_rack_backends(*rack, registry(), diags);
  for (const auto& d : diags.items()) ADD_FAILURE() << d.to_string() << "\n" << yaml;

  EXPECT_EQ(rack->name, "sim-lab-served");
  EXPECT_EQ(rack->safe_power, source.safe_power);
  ASSERT_EQ(rack->devices.size(), source.devices.size());
  const RackDevice& argon = *rack->find_device("argon-1");
  EXPECT_EQ(argon.id, source.find_device("argon-1")->id);
  EXPECT_EQ(argon.segment, "lab-wifi");
  EXPECT_EQ(argon.tags, source.find_device("argon-1")->tags);
  EXPECT_FALSE(argon.led);  // nothing to read
  EXPECT_EQ(argon.serial->params["path"].as<std::string>(), "/dev/pts/12");
  EXPECT_EQ(argon.power->params["on"].as<std::string>(),
            R"('/opt/it'\''s/cyanrig' sim ctl --url 'http://127.0.0.1:4567' power 'argon-1' on)");
  EXPECT_EQ(rack->cloud->params["url"].as<std::string>(), kFile.url);
  EXPECT_EQ(rack->cloud->params["token_file"].as<std::string>(), kFile.token_file);
  const Segment& wifi = *rack->find_segment("lab-wifi");
  ASSERT_EQ(wifi.outages.size(), 1U);
  EXPECT_THAT(wifi.outages[0].params["do"].as<std::string>(),
              HasSubstr(R"(outage 'lab-wifi' start "$CYANRIG_OUTAGE_MODE" "$CYANRIG_OUTAGE_ACTION")"));
  EXPECT_THAT(wifi.outages[0].params["undo"].as<std::string>(), HasSubstr("outage 'lab-wifi' stop"));
  // So that `outage status`, the monitor and a run's sweep can ask what is in force.
  EXPECT_THAT(wifi.outages[0].params["status"].as<std::string>(), HasSubstr("outage 'lab-wifi' status"));
}

// docs/sim-serve.md: each served segment keeps the served rack's effect_within (the default 5m when
// the rack gives none, as the built-in rack does).
TEST(ServedRackFile, SegmentsKeepTheServedRacksEffectWithin) {
  Rack source = builtin_sim_rack();
  source.segments[1].effect_within = std::chrono::minutes(30);
  Diagnostics diags;
  const auto rack = parse_rack(served_rack_yaml(source, served_devices(source), kFile), "served.yaml", diags);
  ASSERT_TRUE(rack);
  EXPECT_EQ(rack->find_segment("lab-wifi")->effect_within, std::chrono::minutes(5));
  EXPECT_EQ(rack->find_segment("lab-cellular")->effect_within, std::chrono::minutes(30));
}

TEST(ServedRackFile, LeavesOutagesOutWhenTheBuildCannotRunThem) {
  ServedRackFile file = kFile;
  file.command_outage = false;
  const Rack source = builtin_sim_rack();
  Diagnostics diags;
  const auto rack = parse_rack(served_rack_yaml(source, served_devices(source), file), "served.yaml", diags);
  for (const auto& d : diags.items()) ADD_FAILURE() << d.to_string();
  ASSERT_TRUE(rack);
  EXPECT_TRUE(rack->segments.empty());
  EXPECT_EQ(rack->find_device("argon-1")->segment, "");
}

}  // namespace
}  // namespace cyanrig::sim
