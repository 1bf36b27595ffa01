// The tcs34725 backend as the engine uses it: built through its factory, reading on its bus thread,
// delivering batches on the loop. A fake chip stands in for the bus; the clock is the steady one, so
// these tests wait for what they expect with generous deadlines and never assert on timing.
#include "drivers/led/tcs34725/sensor_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "drivers/led/tcs34725/tcs34725_registers.hpp"
#include "drivers/led/tcs34725/tcs34725_sensor.hpp"
#include "rig/clock.hpp"
#include "rig/yaml/yaml_reader.hpp"
#include "tests/support/rack_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

using namespace tcs34725;
using std::chrono::seconds;

// A TCS34725 behind a TCA9548A that can be unplugged and replugged from the test thread.
struct FakeChip {
  std::atomic<bool> present{true};
  std::atomic<std::uint8_t> enable{0};
  Crgb light{400, 200, 100, 50};  // counts at 16x, 4.8 ms: far from saturation
};

class FakeChipBus final : public I2cBus {
 public:
  explicit FakeChipBus(FakeChip& chip) : chip_(chip) {}
  I2cResult transfer(I2cAddress address, std::span<const std::uint8_t> out,
                     std::span<std::uint8_t> in) override {
    if (auto nack = absent(address)) return nack;
    if (out[0] == command(Register::id)) {
      in[0] = kIdTcs34725;
    } else if (out[0] == auto_increment(Register::status)) {
      const Crgb& n = chip_.light;
      const std::array<std::uint16_t, 4> words = {n.c, n.r, n.g, n.b};
      in[0] = (chip_.enable & kAdcEnable) != 0 ? kStatusValid : 0;
      for (std::size_t i = 0; i < 4; ++i) {
        in[1 + 2 * i] = static_cast<std::uint8_t>(words[i] & 0xFF);
        in[2 + 2 * i] = static_cast<std::uint8_t>(words[i] >> 8);
      }
    }
    return std::nullopt;
  }
  I2cResult write(I2cAddress address, std::span<const std::uint8_t> out) override {
    if (auto nack = absent(address)) return nack;
    if (address == kAddress && out[0] == command(Register::enable)) chip_.enable = out[1];
    return std::nullopt;
  }
  std::string describe() const override { return "/dev/i2c-fake"; }

 private:
  I2cResult absent(I2cAddress address) {
    if (address != kAddress || chip_.present) return std::nullopt;
    chip_.enable = 0;  // unplugged: it comes back unconfigured
    return I2cError{address, true, "no answer at 0x29"};
  }
  FakeChip& chip_;
};

BackendSpec spec_of(const std::string& yaml, const std::string& file) {
  Diagnostics diags;
  const auto node = load_yaml_text(yaml, file, diags);
  return BackendSpec{"tcs34725", *node, loc_of(*node, file)};
}

class SensorOnItsBus : public ::testing::Test {
 protected:
  SensorOnItsBus() {
    rack_.file = (dir_ / "rack.yaml").string();
    device_.name = "argon-3";
    device_.led =
        spec_of("{backend: tcs34725, bus: /dev/i2c-fake, mux: {address: 0x70, channel: 3}}", rack_.file);
    // The context's bus table opens the fake instead of /dev/i2c-N.
    context_.shared<SensorBuses>([this] {
      return std::make_shared<SensorBuses>([this](const std::string&) -> std::unique_ptr<I2cBus> {
        return std::make_unique<FakeChipBus>(chip_);
      });
    });
  }

  std::unique_ptr<ColourSensor> build() {
    return tcs34725_led_backend().create({*device_.led, &device_}, context_);
  }
  void start(ColourSensor& sensor) {
    sensor.start(
        {.on_samples =
             [this](std::span<const RgbSample> s) { samples_.insert(samples_.end(), s.begin(), s.end()); },
         .on_fault = [this](HardwareFault f) { faults_.push_back(std::move(f)); }});
  }
  // Runs the loop until `done` or 10 s (a deadline for a broken build, not a timing assertion).
  bool run_until(const std::function<bool()>& done) { return test::run_until(*clock_, done, seconds(10)); }

  test::TempDir temp_{"cyanrig-ledhw"};
  const std::filesystem::path& dir_ = temp_.path();
  FakeChip chip_;
  std::unique_ptr<Clock> clock_ = make_steady_clock();
  Rack rack_;
  RackDevice device_;
  BackendContext context_{*clock_, rack_, 1};
  std::vector<RgbSample> samples_;
  std::vector<HardwareFault> faults_;
};

TEST_F(SensorOnItsBus, DeliversSamplesInCountsPerCycleAt1xOnTheLoop) {
  auto sensor = build();
  start(*sensor);
  ASSERT_TRUE(run_until([&] { return samples_.size() >= 20; }));
  // 16x gain, 2 cycles: 32 counts are one unit.
  EXPECT_FLOAT_EQ(samples_.back().c, 400.0F / 32);
  EXPECT_FLOAT_EQ(samples_.back().r, 200.0F / 32);
  EXPECT_FLOAT_EQ(samples_.back().b, 50.0F / 32);
  for (std::size_t i = 1; i < samples_.size(); ++i) EXPECT_GT(samples_[i].t, samples_[i - 1].t);
  EXPECT_TRUE(faults_.empty());
}

TEST_F(SensorOnItsBus, ReportsAnUnpluggedSensorOnceAndReadsAgainWhenItIsBack) {
  auto sensor = build();
  start(*sensor);
  ASSERT_TRUE(run_until([&] { return !samples_.empty(); }));
  chip_.present = false;
  ASSERT_TRUE(run_until([&] { return !faults_.empty(); }));
  EXPECT_EQ(
      faults_[0].message,
      "led sensor on /dev/i2c-fake mux 0x70 channel 3 address 0x29: no answer at 0x29 (sensor unplugged?)");
  const std::size_t before = samples_.size();
  chip_.present = true;
  ASSERT_TRUE(run_until([&] { return samples_.size() > before + 5; }));
  EXPECT_EQ(faults_.size(), 1U);
}

// A dark/white entry (no primaries) gives the decoder each channel scaled from dark to white; the
// samples stay raw counts (the decoder measures edges where the sensor's own noise is).
TEST_F(SensorOnItsBus, TakesItsColourCorrectionFromTheRacksCalibrationFile) {
  std::ofstream(dir_ / "led-calibration.yaml")
      << "devices:\n  argon-3:\n    dark: {r: 0.25, g: 0.25, b: 0.25, c: 0.5}\n"
         "    white: {r: 12.25, g: 6.25, b: 3.25, c: 24.5}\n";
  auto sensor = build();
  EXPECT_NE(sensor->describe().find("calibrated"), std::string::npos) << sensor->describe();
  const std::optional<ChannelMatrix> correction = sensor->colour_correction();
  ASSERT_TRUE(correction.has_value());
  EXPECT_EQ(*correction, ChannelMatrix::identity().rows_scaled({1 / 12.0F, 1 / 6.0F, 1 / 3.0F}));
  start(*sensor);
  ASSERT_TRUE(run_until([&] { return !samples_.empty(); }));
  EXPECT_FLOAT_EQ(samples_.back().r, 6.25F);
  EXPECT_FLOAT_EQ(samples_.back().g, 3.125F);
  EXPECT_FLOAT_EQ(samples_.back().c, 12.5F);
}

TEST_F(SensorOnItsBus, HasNoColourCorrectionWithoutAnEntry) {
  auto sensor = build();
  EXPECT_EQ(sensor->describe().find("calibrated"), std::string::npos) << sensor->describe();
  EXPECT_FALSE(sensor->colour_correction().has_value());
}

TEST_F(SensorOnItsBus, AnAbsentSensorFailsTheBuildNamingWhereItShouldBe) {
  chip_.present = false;
  try {
    build();
    FAIL() << "built without a sensor";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(
        e.what(),
        "led sensor on /dev/i2c-fake mux 0x70 channel 3 address 0x29: no answer at 0x29 (sensor unplugged?)");
  }
}

TEST(Tcs34725Backend, AMissingBusFailsTheBuildNamingTheSensor) {
  auto clock = make_steady_clock();
  Rack rack;
  rack.file = "rack.yaml";
  RackDevice device;
  device.name = "argon-3";
  device.led =
      spec_of("{backend: tcs34725, bus: /dev/i2c-99, mux: {address: 0x71, channel: 0}}", "rack.yaml");
  BackendContext context(*clock, rack, 1);
  try {
    tcs34725_led_backend().create({*device.led, &device}, context);
    FAIL() << "built on a missing bus";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "led sensor on /dev/i2c-99 mux 0x71 channel 0 address 0x29: no such bus (is I2C enabled? "
              "dtparam=i2c_arm=on in /boot/config.txt; ls /dev/i2c-*)");
  }
}

}  // namespace
}  // namespace cyanrig
