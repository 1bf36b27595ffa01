// Wall-clock cost of the simulated colour sensor per sample (target: well under 100 ns).
// Runs one virtual hour of a 1 kHz sensor on a breathing-cyan LED. Not a test: timings vary by machine.
#include <chrono>
#include <cstdio>

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/sim/status_led.hpp"

int main() {
  using namespace cyanrig;
  auto clock = make_virtual_clock();
  sim::StatusLed led(*clock);
  led.show("breathing_cyan");
  sim::SimSensorSettings settings;
  settings.rate_hz = 1000;
  auto sensor = sim::make_sim_colour_sensor(*clock, led, "bench", settings, 1);
  std::size_t samples = 0;
  double checksum = 0;
  sensor->start({.on_samples =
                     [&](std::span<const RgbSample> batch) {
                       samples += batch.size();
                       for (const RgbSample& s : batch) checksum += s.g;
                     },
                 .on_fault = {}});
  Timer stop = clock->after(std::chrono::hours(1), [&] { clock->stop(); });
  const auto started = std::chrono::steady_clock::now();
  clock->run();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%zu samples in %.3f s wall: %.1f ns/sample (checksum %.1f)\n", samples, seconds,
              seconds * 1e9 / static_cast<double>(samples), checksum);
  return 0;
}
