// The tcs34725 rack parameters: defaults, and every mistake reported at file:line:col.
#include <gtest/gtest.h>

#include "drivers/led/tcs34725/tcs34725_sensor.hpp"
#include "rig/yaml/yaml_reader.hpp"
#include "tests/support/rack_support.hpp"

namespace cyanrig {
namespace {

using namespace tcs34725;
using std::chrono::milliseconds;

BackendSpec spec_of(const std::string& yaml) {
  return test::backend_spec(yaml, "racks/lab.yaml");
}

std::vector<std::string> errors_of(const std::string& yaml) {
  Diagnostics diags;
  read_tcs34725_params(spec_of(yaml), "racks/lab.yaml", diags);
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

TEST(Tcs34725Params, ReadsTheIssueExampleWithARateItCanSustain) {
  Diagnostics diags;
  const auto p = read_tcs34725_params(spec_of("{backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, "
                                              "channel: 3}, address: 0x29, integration: 24ms, gain: 4x, "
                                              "rate: 40Hz, auto_gain: false}"),
                                      "racks/lab.yaml", diags);
  ASSERT_TRUE(p) << (diags.empty() ? "" : diags.items()[0].to_string());
  EXPECT_EQ(p->where.to_string(), "led sensor on /dev/i2c-1 mux 0x70 channel 3 address 0x29");
  EXPECT_EQ(p->settings.integration, Integration{10});
  EXPECT_EQ(p->settings.gain, Gain::x4);
  EXPECT_EQ(p->settings.period, milliseconds(25));
  EXPECT_FALSE(p->settings.auto_gain);
  EXPECT_EQ(p->calibration_file, "racks/led-calibration.yaml");
}

TEST(Tcs34725Params, DefaultsTo200HzWithAnIntegrationThatFitsAndNoMux) {
  Diagnostics diags;
  const auto p =
      read_tcs34725_params(spec_of("{backend: tcs34725, bus: /dev/i2c-1}"), "racks/lab.yaml", diags);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->where.to_string(), "led sensor on /dev/i2c-1 address 0x29");
  EXPECT_EQ(p->settings.period, milliseconds(5));
  EXPECT_LE(p->settings.integration.duration(), p->settings.period);
  EXPECT_TRUE(p->settings.auto_gain);
}

TEST(Tcs34725Params, CalibrationFileIsRelativeToTheRackFile) {
  Diagnostics diags;
  const auto relative = read_tcs34725_params(
      spec_of("{backend: tcs34725, bus: /dev/i2c-1, calibration: cal/leds.yaml}"), "racks/lab.yaml", diags);
  const auto absolute = read_tcs34725_params(
      spec_of("{backend: tcs34725, bus: /dev/i2c-1, calibration: /srv/leds.yaml}"), "racks/lab.yaml", diags);
  ASSERT_TRUE(relative && absolute);
  EXPECT_EQ(relative->calibration_file, "racks/cal/leds.yaml");
  EXPECT_EQ(absolute->calibration_file, "/srv/leds.yaml");
}

TEST(Tcs34725Params, AnIntegrationLongerThanTheSamplePeriodIsRefusedWithWhatWouldFit) {
  EXPECT_EQ(
      errors_of("{backend: tcs34725, bus: /dev/i2c-1, integration: 24ms, rate: 200Hz}"),
      std::vector<std::string>{"racks/lab.yaml:1:51: integration 24 ms does not fit in the 5 ms sample "
                               "period of 200 Hz: use integration at most 4.8 ms, or rate at most 41 Hz"});
}

TEST(Tcs34725Params, EachMistakeIsReportedAtItsPosition) {
  EXPECT_EQ(errors_of("{backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, channel: 8}}"),
            std::vector<std::string>{"racks/lab.yaml:1:68: 'channel' must be between 0 and 7, found 8"});
  EXPECT_EQ(errors_of("{backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x60, channel: 1}}"),
            std::vector<std::string>{
                "racks/lab.yaml:1:53: 'address' must be an I2C address from 0x70 to 0x77, found 0x60"});
  EXPECT_EQ(
      errors_of("{backend: tcs34725, bus: /dev/i2c-1, gain: 8x}"),
      std::vector<std::string>{
          "racks/lab.yaml:1:44: 'gain' must be one of 1x, 4x, 16x, 60x; found '8x' (did you mean '1x'?)"});
  EXPECT_EQ(errors_of("{backend: tcs34725, bus: /dev/i2c-1, integration: 1s}"),
            std::vector<std::string>{"racks/lab.yaml:1:51: 'integration' must be from 2.4ms to 614.4ms "
                                     "(steps of 2.4 ms), found 1000 ms"});
  EXPECT_EQ(
      errors_of("{backend: tcs34725, bus: /dev/i2c-1, rate: 10Hz}"),
      std::vector<std::string>{"racks/lab.yaml:1:44: 'rate' must be a rate of at least 40 Hz such as 200Hz "
                               "(the LED changes in 25 ms steps), found '10Hz'"});
  EXPECT_EQ(errors_of("{backend: tcs34725}"),
            std::vector<std::string>{"racks/lab.yaml:1:1: tcs34725 led backend needs 'bus'"});
}

TEST(Tcs34725Params, UnknownKeysSuggestTheClosestOne) {
  const auto errors = errors_of("{backend: tcs34725, bus: /dev/i2c-1, autogain: true}");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("racks/lab.yaml:1:38:"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("auto_gain"), std::string::npos) << errors[0];
}

TEST(LedCalibrationFile, IsTheSensorsParameterOrNextToTheRackFile) {
  Rack rack;
  rack.file = "/srv/rig/racks/lab.yaml";
  RackDevice tcs;
  tcs.led = spec_of("{backend: tcs34725, bus: /dev/i2c-1, calibration: leds.yaml}");
  RackDevice sim;
  sim.led = spec_of("{backend: sim}");
  EXPECT_EQ(led_calibration_file(rack, tcs), "/srv/rig/racks/leds.yaml");
  EXPECT_EQ(led_calibration_file(rack, sim), "/srv/rig/racks/led-calibration.yaml");
  rack.file = "<built-in simulated rack>";
  EXPECT_EQ(led_calibration_file(rack, sim), "led-calibration.yaml");
}

}  // namespace
}  // namespace cyanrig
