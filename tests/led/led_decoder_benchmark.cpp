// How fast the LED decoder runs: a simulated rack decodes every device's LED all the time, so it
// must manage at least a million samples a second on one core. Feeds a long mixed trace (200 Hz,
// 200 ms batches like the sim sensor) and prints samples per second.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "tests/led/led_trace_support.hpp"

int main() {
  using namespace cyanrig;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  test::LedScript script;
  for (int i = 0; i < 20; ++i) {
    script.show(seconds(2), "off")
        .show(seconds(1), "breathing_white")
        .show(seconds(3), "blinking_green")
        .show(seconds(2), "blinking_cyan")
        .show(seconds(2), "fast_blinking_cyan")
        .show(seconds(20), "breathing_cyan")
        .show(sim::flashes_length(2), sim::LedSignal::flashes(Rgb::from_hex(0xFF6000), 2))
        .show(seconds(5), "blinking_cyan")
        .show(2 * sim::sos_play_length(13), sim::LedSignal::sos(13));
  }
  test::SensorModel sensor;
  sensor.rate_hz = 200;
  const std::vector<RgbSample> samples = script.sample(sensor);
  constexpr std::size_t kBatch = 40;  // 200 ms at 200 Hz

  double best = 0;
  std::size_t states = 0;
  for (int round = 0; round < 5; ++round) {
    LedDecoder decoder;
    states = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < samples.size(); i += kBatch) {
      states += decoder.feed(std::span(samples).subspan(i, std::min(kBatch, samples.size() - i))).size();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, static_cast<double>(samples.size()) / s);
  }
  fmt::print("{} samples, {} states: {:.1f} million samples/s (best of 5)\n", samples.size(), states,
             best / 1e6);
  return best >= 1e6 ? 0 : 1;
}
