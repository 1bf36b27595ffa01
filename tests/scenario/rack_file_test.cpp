#include "rig/rack/rack_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "drivers/all_backends.hpp"

using namespace cyanrig;
using ::testing::HasSubstr;

TEST(RackFile, BuiltInRackIsTheShippedSimYaml) {
  const Rack rack = builtin_sim_rack();
  EXPECT_EQ(rack.name, "sim-lab");
  ASSERT_EQ(rack.devices.size(), 8U);
  std::map<std::string, int> per_platform;
  for (const auto& d : rack.devices) ++per_platform[std::string(d.platform->name)];
  EXPECT_EQ(per_platform, (std::map<std::string, int>{{"argon", 2}, {"boron", 2}, {"p2", 2}, {"photon", 2}}));
  EXPECT_TRUE(rack_is_simulated(rack, all_backends()));
  EXPECT_EQ(rack.safe_power, PowerState::off);

  Diagnostics diags;
  const auto shipped = load_rack_file(std::string(CYANRIG_SOURCE_DIR) + "/scenarios/racks/sim.yaml", diags);
  ASSERT_TRUE(shipped);
  ASSERT_EQ(shipped->devices.size(), rack.devices.size());
  for (std::size_t i = 0; i < rack.devices.size(); ++i) EXPECT_EQ(shipped->devices[i].id, rack.devices[i].id);
  validate_rack_backends(*shipped, all_backends(), diags);
  EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();
}

TEST(RackFile, DefaultsApplyUnlessADeviceNamesItsOwn) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: on
segments:
  - {name: wifi, outage: {backend: sim}}
defaults:
  power: {backend: sim}
devices:
  - {name: a1, id: E00FCE68A1B2C3D4E5F60718, platform: argon, segment: wifi, tags: [x, y]}
  - name: a2
    id: e00fce68a1b2c3d4e5f60719
    platform: photon2
    power: {backend: command, on: "true", off: "true"}
    faults: {bad_keys: 0.5, slow_sleep_recovery: {probability: 1, extra: 25m}}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  EXPECT_EQ(rack->safe_power, PowerState::on);
  EXPECT_EQ(rack->devices[0].id.str(), "e00fce68a1b2c3d4e5f60718");
  EXPECT_EQ(rack->devices[0].power->backend, "sim");
  EXPECT_EQ(rack->devices[0].tags, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(rack->devices[1].platform->name, "p2");
  EXPECT_EQ(rack->devices[1].power->backend, "command");
  ASSERT_EQ(rack->devices[1].faults.size(), 2U);
  EXPECT_EQ(rack->devices[1].faults[0].name, "bad_keys");
  EXPECT_DOUBLE_EQ(rack->devices[1].faults[0].probability, 0.5);
  EXPECT_FALSE(rack_is_simulated(*rack, all_backends()));
}

// Every form docs/racks.md shows, and a mapping shared by several devices: reading
// one device's faults must not change what the next device reads (a YAML alias shares one node).
TEST(RackFile, EveryDocumentedFaultFormReadsTheSameForEveryDevice) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
segments:
  - {name: wifi, outage: {backend: sim}}
defaults: {power: {backend: sim}}
devices:
  - name: a1
    id: e00fce68a1b2c3d4e5f60718
    platform: argon
    segment: wifi
    faults: &shared
      stuck_after_outage_boot: 1
      slow_sleep_recovery: {probability: 0.5, extra: 25m}
      flaky_backoff: {extra: 25m}
  - {name: a2, id: e00fce68a1b2c3d4e5f60719, platform: argon, segment: wifi, faults: *shared}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  ASSERT_TRUE(diags.empty()) << diags.items().front().to_string();
  for (const RackDevice& d : rack->devices) {
    ASSERT_EQ(d.faults.size(), 3U) << d.name;
    EXPECT_EQ(d.faults[0].name, "stuck_after_outage_boot");
    EXPECT_DOUBLE_EQ(d.faults[0].probability, 1.0) << d.name;
    EXPECT_EQ(d.faults[1].name, "slow_sleep_recovery");
    EXPECT_DOUBLE_EQ(d.faults[1].probability, 0.5) << d.name;
    EXPECT_EQ(d.faults[1].params["extra"].as<std::string>(), "25m") << d.name;
    EXPECT_EQ(d.faults[2].name, "flaky_backoff");
    EXPECT_DOUBLE_EQ(d.faults[2].probability, 1.0)
        << d.name << ": a mapping without probability means always";
    EXPECT_EQ(d.faults[2].params["extra"].as<std::string>(), "25m") << d.name;
  }
}

TEST(RackFile, PowerTimingAndLogPatterns) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
power: {min_off: 3s, on_spacing: 250ms}
patterns:
  - {event: relay_on, regex: "Relay (\\d+) ON"}
devices:
  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon, min_off: 10s}
  - {name: a2, id: e00fce68a1b2c3d4e5f60719, platform: argon}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  EXPECT_EQ(rack->min_off, Duration(std::chrono::seconds(3)));
  EXPECT_EQ(rack->power_on_spacing, Duration(std::chrono::milliseconds(250)));
  EXPECT_EQ(rack->devices[0].min_off, Duration(std::chrono::seconds(10)));
  EXPECT_FALSE(rack->devices[1].min_off);
  ASSERT_EQ(rack->patterns.size(), 1U);
  EXPECT_EQ(rack->patterns[0].event, "relay_on");

  const auto bad = parse_rack(
      "rack: r\nsafe_power: off\npatterns:\n  - {event: x, regex: '(('}\n"
      "devices:\n  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon}\n",
      "r.yaml", diags);
  EXPECT_FALSE(bad);
  EXPECT_THAT(diags.items().back().to_string(), HasSubstr("r.yaml:4:23: bad regular expression '(('"));
}

TEST(RackFile, MistakesAreReportedWithPositions) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: maybe
segments:
  - {name: wifi}
devices:
  - {name: a1, id: nothex, platform: argon}
  - {name: a1, id: e00fce68a1b2c3d4e5f60719, platform: zeta, segment: lan, colour: red}
  - {name: "bad name", id: e00fce68a1b2c3d4e5f6071a, platform: boron, faults: {bad_keys: 2}}
)",
                               "r.yaml", diags);
  EXPECT_FALSE(rack);
  std::vector<std::string> lines;
  for (const auto& d : diags.items()) lines.push_back(d.to_string());
  const auto has = [&](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  std::ostringstream all;
  for (const auto& l : lines) all << l << "\n";
  EXPECT_TRUE(has("r.yaml:2:13: 'safe_power' must be one of off, on")) << all.str();
  EXPECT_TRUE(has("r.yaml:4:5: segment 'wifi' needs an 'outage' backend")) << all.str();
  EXPECT_TRUE(has("r.yaml:6:20: device id 'nothex' must be 24 hex characters")) << all.str();
  EXPECT_TRUE(has("device name 'a1' is used twice")) << all.str();
  EXPECT_TRUE(has("unknown platform 'zeta'")) << all.str();
  EXPECT_TRUE(has("segment 'lan' is not declared")) << all.str();
  EXPECT_TRUE(has("unknown field 'colour' in device")) << all.str();
  EXPECT_TRUE(has("device name 'bad name' may use only")) << all.str();
  EXPECT_TRUE(has("probability of fault 'bad_keys' must be a number from 0 to 1")) << all.str();
}

TEST(RackFile, AnEmptyFileIsReportedAtItsStart) {
  Diagnostics diags;
  EXPECT_FALSE(parse_rack("# a rack, one day\n\n", "r.yaml", diags));
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_EQ(
      diags.items()[0].to_string(),
      "r.yaml:1:1: rack file must be a mapping, found an empty file (nothing but blank lines and comments)");
}

TEST(RackFile, UnknownBackendNamesTheAvailableOnes) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
devices:
  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon, power: {backend: relayz}}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack);
  validate_rack_backends(*rack, all_backends(), diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_THAT(diags.items()[0].to_string(),
              HasSubstr("r.yaml:4:80: unknown power backend 'relayz'; available: "));
  EXPECT_THAT(diags.items()[0].to_string(), HasSubstr("sim"));
}

TEST(RackFile, MissingFileIsAClearError) {
  Diagnostics diags;
  EXPECT_FALSE(load_rack_file("/nonexistent/rack.yaml", diags));
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_THAT(diags.items()[0].to_string(), HasSubstr("/nonexistent/rack.yaml: cannot read file"));
}

TEST(RackFile, ASegmentMayHaveSeveralOutageBackendsAndDevicesTheirAddresses) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
segments:
  - name: wifi
    effect_within: 90s
    outage:
      - {backend: sim}
      - {backend: sim}
devices:
  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon, segment: wifi, ip: 192.168.50.11,
     mac: "E0:4F:43:12:34:56"}
  - {name: a2, id: e00fce68a1b2c3d4e5f60719, platform: argon, segment: wifi, ip: "fd00::11"}
)",
                               "r.yaml", diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  ASSERT_EQ(rack->segments.size(), 1U);
  EXPECT_EQ(rack->segments[0].outages.size(), 2U);
  EXPECT_EQ(rack->segments[0].effect_within, std::chrono::seconds(90));
  EXPECT_EQ(rack->devices[0].ip, "192.168.50.11");
  EXPECT_EQ(rack->devices[0].mac, "e0:4f:43:12:34:56");
  EXPECT_EQ(rack->devices[1].ip, "fd00::11");
  // The built-in rack's segments default to five minutes to see an outage bite.
  EXPECT_EQ(builtin_sim_rack().segments[0].effect_within, std::chrono::minutes(5));
}

TEST(RackFile, BadAddressesAreReportedAtTheirPosition) {
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: r
safe_power: off
segments:
  - {name: wifi, outage: {backend: sim}}
devices:
  - {name: a1, id: e00fce68a1b2c3d4e5f60718, platform: argon, segment: wifi, ip: 192.168.50.300, mac: "e0:4f:43"}
)",
                               "r.yaml", diags);
  EXPECT_FALSE(rack);
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_EQ(diags.items()[0].to_string(), "r.yaml:6:82: '192.168.50.300' is not an IPv4 or IPv6 address");
  EXPECT_THAT(diags.items()[1].to_string(), HasSubstr("'e0:4f:43' is not a MAC address"));
}
