#include "tests/led/matcher_harness.hpp"

#include <fmt/format.h>

#include "drivers/led/sim/led_optics.hpp"

namespace cyanrig::test {

std::vector<led_detail::Candidate> propose(const std::vector<RgbSample>& samples,
                                           const std::function<Proposal(const led_detail::LightTrack&)>& step,
                                           const LedDecoderOptions& options) {
  led_detail::LightTrack track(options);
  led_detail::SteadyMatcher steady(options);
  std::vector<led_detail::Candidate> out;
  for (const RgbSample& s : samples) {
    if (!track.add(s)) continue;
    if (Proposal c = step(track)) out.push_back(std::move(*c));
    if (steady.on_point(track.point(), track, false)) steady.settled();
    if (steady.take_gradual_change()) track.changed_gradually();
    track.allow_dark_learning(steady.dark_learning_ok(track));
  }
  return out;
}

std::string describe(const std::vector<led_detail::Candidate>& proposals) {
  std::string out;
  for (const led_detail::Candidate& c : proposals) {
    out += fmt::format("{}{}@{:.0f}", out.empty() ? "" : " ", c.change.state, ms_since_start(c.change.start));
  }
  return out;
}

const led_detail::Candidate* first_named(const std::vector<led_detail::Candidate>& proposals,
                                         const std::string& state) {
  for (const led_detail::Candidate& c : proposals) {
    if (c.change.state == state) return &c;
  }
  return nullptr;
}

std::vector<RgbSample> datasheet_samples(const LedScript& script, double rate_hz, std::uint64_t seed) {
  SensorModel sensor;
  sensor.rate_hz = rate_hz;
  sensor.seed = seed;
  sensor.optics = sim::find_optics_variant("datasheet")->optics;
  return script.sample(sensor);
}

}  // namespace cyanrig::test
