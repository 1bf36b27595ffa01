#include "tests/led/led_trace_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <random>
#include <stdexcept>
#include <variant>

#include "rig/led/calibration.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr float kDefaultBrightness = 96.0F / 255.0F;

float brightest(Rgb c) {
  return std::max(c.r, std::max(c.g, c.b));
}

}  // namespace

LedScript& LedScript::show(Duration length, const sim::LedSignal& signal) {
  stretches_.push_back({length, signal});
  return *this;
}

LedScript& LedScript::show(Duration length, std::string_view default_state) {
  return show(length, default_state == "off" ? sim::LedSignal::off() : sim::LedSignal::named(default_state));
}

Instant LedScript::start_of(std::size_t index) const {
  Instant t = run_start();
  for (std::size_t i = 0; i < index && i < stretches_.size(); ++i) t += stretches_[i].length;
  return t;
}

Instant LedScript::end() const {
  return start_of(stretches_.size());
}

Rgb LedScript::emitted(Instant t) const {
  Instant from = run_start();
  for (const Shown& s : stretches_) {
    if (t < from + s.length) {
      sim::LedAnimator animator;
      animator.show(from, s.signal);
      return animator.emitted(t);
    }
    from += s.length;
  }
  return {};
}

Instant LedScript::went_dark(Instant t) const {
  auto lit = [&](Instant at) { return brightest(emitted(at)) > 0; };
  while (t > run_start() && !lit(t - milliseconds(1))) t -= milliseconds(1);
  return t;
}

Instant LedScript::first_change(Instant t, Duration within) const {
  if (t <= run_start()) return t;
  const Rgb before = emitted(t - milliseconds(1));
  auto same = [&](Rgb c) { return c.r == before.r && c.g == before.g && c.b == before.b; };
  for (Instant at = t; at < t + within; at += milliseconds(1)) {
    if (!same(emitted(at))) return at;
  }
  return t + within;
}

std::vector<RgbSample> LedScript::sample(const SensorModel& sensor) const {
  std::mt19937_64 random(sensor.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<float> gaussian(0.0F, 1.0F);
  // The animator runs at Device OS's default brightness; the scale makes its full light read `full`.
  const sim::OpticalPath optics(sensor.optics, sensor.full / kDefaultBrightness, sensor.ambient);
  auto channel = [&](float light) {
    return std::max(0.0F, light + sensor.noise * gaussian(random)) * sensor.counts;
  };

  const auto interval =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / sensor.rate_hz));
  std::vector<RgbSample> samples;
  sim::LedAnimator animator;
  std::size_t shown = 0;
  Instant shown_from = run_start();
  animator.show(shown_from, stretches_.empty() ? sim::LedSignal::off() : stretches_[0].signal);
  const Instant end_at = end();
  for (Instant nominal = run_start(); nominal < end_at; nominal += interval) {
    const bool dropped = uniform(random) < sensor.drop;
    const auto early = Duration{
        static_cast<Duration::rep>(sensor.jitter * static_cast<double>(interval.count()) * uniform(random))};
    if (dropped) continue;
    const Instant t = std::max(run_start(), nominal - early);
    while (shown + 1 < stretches_.size() && t >= shown_from + stretches_[shown].length) {
      shown_from += stretches_[shown].length;
      ++shown;
      animator.show(shown_from, stretches_[shown].signal);
    }
    const Rgb light = optics.reading(animator.emitted(t), t);
    samples.push_back({t, channel(light.r), channel(light.g), channel(light.b)});
  }
  return samples;
}

std::vector<LedStateChange> decode(const std::vector<RgbSample>& samples, const LedDecoderOptions& options) {
  LedDecoder decoder(options);
  std::vector<LedStateChange> states;
  std::size_t from = 0;
  while (from < samples.size()) {
    const Instant batch_end = samples[from].t + milliseconds(200);
    std::size_t to = from;
    while (to < samples.size() && samples[to].t < batch_end) ++to;
    for (auto& s : decoder.feed(std::span(samples).subspan(from, to - from))) states.push_back(std::move(s));
    from = to;
  }
  for (auto& s : decoder.finish()) states.push_back(std::move(s));
  return states;
}

std::string describe(const std::vector<LedStateChange>& states) {
  std::string text;
  for (const LedStateChange& s : states) {
    if (!text.empty()) text += ' ';
    text += s.state;
    if (s.code) text += fmt::format("({})", *s.code);
    if (s.colour) text += fmt::format("({} x{})", *s.colour, s.count.value_or(0));
    if (s.rgb) text += fmt::format("(rgb {:.2f},{:.2f},{:.2f})", s.rgb->r, s.rgb->g, s.rgb->b);
    if (s.period) text += fmt::format("(period {:.0f})", to_ms(*s.period));
    text += fmt::format("@{:.0f}/{:.0f}", ms_since_start(s.start), ms_since_start(s.recognised));
  }
  return text;
}

namespace {

// The mean of the samples from `from` to `to`.
ChannelLevels mean_between(const std::vector<RgbSample>& samples, Instant from, Instant to) {
  std::vector<RgbSample> inside;
  std::copy_if(samples.begin(), samples.end(), std::back_inserter(inside),
               [&](const RgbSample& s) { return s.t >= from && s.t < to; });
  return mean_levels(inside);
}

}  // namespace

// What `cyanrig led calibrate --primaries probe` records for this sensor: dark (the LED off), then
// each die alone and white at the default brightness, a second each and the first 300 ms left to
// settle, through the same sensor (its noise, a stream of its own), and the correction made of them.
LedCalibration probe_calibration(SensorModel sensor) {
  sensor.seed ^= 0xca1ab7a7eULL;
  sensor.drop = 0;
  LedScript probe;
  probe.show(seconds(1), "off");
  for (const std::uint32_t hex : {0xFF0000U, 0x00FF00U, 0x0000FFU, 0xFFFFFFU}) {
    probe.show(seconds(1), sim::LedSignal::solid(Rgb::from_hex(hex)));
  }
  const std::vector<RgbSample> samples = probe.sample(sensor);
  auto reading = [&](std::size_t i) {
    return mean_between(samples, probe.start_of(i) + milliseconds(300), probe.start_of(i + 1));
  };
  LedCalibration cal;
  cal.dark = reading(0);
  cal.primaries = Primaries{reading(1), reading(2), reading(3)};
  cal.white = reading(4);
  cal.primaries_from = "probe";
  auto correction = colour_correction(*cal.dark, *cal.primaries);
  if (const auto* problem = std::get_if<std::string>(&correction)) {
    throw std::runtime_error("calibration failed: " + *problem);
  }
  cal.correction = std::get<ChannelMatrix>(correction);
  return cal;
}

}  // namespace cyanrig::test
