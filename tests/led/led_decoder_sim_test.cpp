// The decoder on the simulated rack's own light: a StatusLed driven the way the simulated Device OS
// drives it, read by the sim colour sensor backend (50 Hz, noise, ambient light, jitter, drops) in
// its 200 ms batches, exactly as the engine feeds a device's decoder.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/sim/status_led.hpp"
#include "rig/clock.hpp"
#include "rig/led/led_decoder.hpp"
#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SimulatedLed : public testing::Test {
 protected:
  // Runs `actions` (time from the start, what the device does) and returns the decoded states.
  std::vector<LedStateChange> run(const std::vector<std::pair<Duration, std::function<void()>>>& actions,
                                  Duration length) {
    std::vector<Timer> timers;
    for (const auto& [at, action] : actions) timers.push_back(clock_->at(run_start() + at, action));
    std::vector<LedStateChange> states;
    auto sensor = sim::make_sim_colour_sensor(*clock_, led_, "photon-1", sim::SimSensorSettings{}, 42);
    sensor->start({.on_samples =
                       [&](std::span<const RgbSample> samples) {
                         for (auto& s : decoder_.feed(samples)) states.push_back(std::move(s));
                       },
                   .on_fault = [](HardwareFault) {}});
    Timer end = clock_->at(run_start() + length, [this] { clock_->stop(); });
    clock_->run();
    sensor->stop();
    for (auto& s : decoder_.finish()) states.push_back(std::move(s));
    return states;
  }

  std::unique_ptr<Clock> clock_ = make_virtual_clock();
  sim::StatusLed led_{*clock_};
  LedDecoder decoder_;
};

TEST_F(SimulatedLed, PowerUpBadKeysAndPanicAreDecoded) {
  const auto red_flash = sim::LedSignal::flashes(Rgb::from_hex(0xFF0000), 1);
  const auto states = run(
      {
          {milliseconds(1000), [this] { led_.show("breathing_white"); }},
          {milliseconds(2040), [this] { led_.show("blinking_green"); }},
          {milliseconds(5170), [this] { led_.show("blinking_cyan"); }},
          {milliseconds(7350), [this] { led_.show("fast_blinking_cyan"); }},
          // The handshake fails: a red flash, then back to connecting (blinking cyan).
          {milliseconds(9120), [this, red_flash] { led_.show("cloud_error", red_flash); }},
          {milliseconds(9120) + sim::flashes_length(1), [this] { led_.show("blinking_cyan"); }},
          {milliseconds(11650), [this] { led_.show("fast_blinking_cyan"); }},
          {milliseconds(12700), [this] { led_.show("breathing_cyan"); }},
          // A stack overflow: SOS 13 played twice, then the reset leaves the LED dark.
          {milliseconds(24000), [this] { led_.replace("sos", sim::LedSignal::sos(13)); }},
          {milliseconds(24000) + 2 * sim::sos_play_length(13), [this] { led_.go_dark(); }},
      },
      milliseconds(24000) + 2 * sim::sos_play_length(13) + seconds(3));
  SCOPED_TRACE(describe(states));
  // The last SOS play ends with 1100 ms of dark after its last dash.
  const double last_dash_end = 24000 + 2 * to_ms(sim::sos_play_length(13)) - 1100;
  const std::vector<std::pair<std::string, double>> want{{"off", 0},
                                                         {"breathing_white", 1000},
                                                         {"blinking_green", 2040},
                                                         {"blinking_cyan", 5170},
                                                         {"fast_blinking_cyan", 7350},
                                                         {"cloud_error", 9120},
                                                         {"blinking_cyan", 9620},
                                                         {"fast_blinking_cyan", 11650},
                                                         {"breathing_cyan", 12700},
                                                         {"sos", 24000},
                                                         {"off", last_dash_end}};
  ASSERT_EQ(states.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(states[i].state, want[i].first) << i;
    EXPECT_NEAR(ms_since_start(states[i].start), want[i].second, 110) << i;
  }
  EXPECT_EQ(states[5].colour, "red");
  EXPECT_EQ(states[5].count, 1);
  EXPECT_EQ(states[9].code, 13);
}

}  // namespace
}  // namespace cyanrig::test
