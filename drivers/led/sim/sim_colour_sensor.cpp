#include "drivers/led/sim/sim_colour_sensor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/random.hpp"
#include "drivers/sim/sim_world.hpp"
#include "drivers/sim/status_led.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

constexpr Duration kBatchEvery = milliseconds(200);
constexpr double kMaxJitter = 0.05;  // of the sample interval
constexpr double kDropChance = 0.005;

class SimColourSensor final : public ColourSensor {
 public:
  SimColourSensor(Clock& clock, StatusLed& led, std::string device_name, const SimSensorSettings& s,
                  std::uint64_t seed)
      : clock_(clock),
        led_(led),
        device_name_(std::move(device_name)),
        interval_(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / s.rate_hz))),
        gain_(static_cast<float>(s.gain)),
        ambient_(static_cast<float>(s.ambient)),
        noise_sd_(static_cast<float>(s.noise)),
        random_(seed),
        noise_(seed ^ 0x6e6f697365ULL) {
    samples_.reserve(static_cast<std::size_t>(s.rate_hz) + 8);
  }

  void start(Listener listener) override {
    stop();
    listener_ = std::move(listener);
    next_sample_ = clock_.now();
    timer_ = clock_.after(kBatchEvery, [this] { batch(); });
  }

  void stop() override { timer_.cancel(); }

  std::string describe() const override { return fmt::format("simulated colour sensor on {}", device_name_); }

 private:
  float channel(float emitted) {
    return std::max(0.0F, emitted * gain_ + ambient_ + noise_sd_ * noise_.next());
  }

  void batch() {
    const Instant now = clock_.now();
    const auto max_jitter = static_cast<double>(interval_.count()) * kMaxJitter;
    samples_.clear();
    for (; next_sample_ <= now; next_sample_ += interval_) {
      if (random_.chance(kDropChance)) continue;
      const Instant t = next_sample_ - Duration{static_cast<Duration::rep>(max_jitter * random_.uniform())};
      const Rgb e = led_.emitted(t);
      samples_.push_back({t, channel(e.r), channel(e.g), channel(e.b)});
    }
    timer_ = clock_.after(kBatchEvery, [this] { batch(); });
    if (!samples_.empty() && listener_.on_samples) listener_.on_samples(samples_);
  }

  Clock& clock_;
  StatusLed& led_;
  std::string device_name_;
  Duration interval_;
  float gain_;
  float ambient_;
  float noise_sd_;
  Random random_;
  GaussianSource noise_;
  Listener listener_;
  Instant next_sample_{};
  std::vector<RgbSample> samples_;
  Timer timer_;
};

// Keeps the world (and so the device's LED) alive as long as the sensor.
class WorldSensor final : public ColourSensor {
 public:
  WorldSensor(std::shared_ptr<SimWorld> world, std::unique_ptr<ColourSensor> sensor)
      : world_(std::move(world)), sensor_(std::move(sensor)) {}
  void start(Listener listener) override { sensor_->start(std::move(listener)); }
  void stop() override { sensor_->stop(); }
  std::string describe() const override { return sensor_->describe(); }

 private:
  std::shared_ptr<SimWorld> world_;
  std::unique_ptr<ColourSensor> sensor_;
};

}  // namespace

SimSensorSettings SimSensorSettings::read(const BackendSpec& spec, Diagnostics& diags) {
  SimSensorSettings s;
  read_backend_params(spec, diags, "sim led backend", [&s](MapReader& params) {
    s.rate_hz = params.number("rate_hz", false, 20, 1000).value_or(s.rate_hz);
    s.noise = params.number("noise", false, 0, 1).value_or(s.noise);
    s.ambient = params.number("ambient", false, 0, 1).value_or(s.ambient);
    s.gain = params.number("gain", false, 0.001, 1000).value_or(s.gain);
  });
  return s;
}

std::unique_ptr<ColourSensor> make_sim_colour_sensor(Clock& clock, StatusLed& led, std::string device_name,
                                                     const SimSensorSettings& settings, std::uint64_t seed) {
  return std::make_unique<SimColourSensor>(clock, led, std::move(device_name), settings, seed);
}

BackendFactory<ColourSensor> sim_led_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { SimSensorSettings::read(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<ColourSensor> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "led");
            Diagnostics reported_by_validate;
            const SimSensorSettings settings = SimSensorSettings::read(site.spec, reported_by_validate);
            const std::string& id = device.rack_device().id.str();
            auto sensor = make_sim_colour_sensor(ctx.clock(), device.led(), device.rack_device().name,
                                                 settings, stream_seed(ctx.seed(), id, "colour_sensor"));
            return std::make_unique<WorldSensor>(std::move(world), std::move(sensor));
          }};
}

}  // namespace cyanrig::sim
