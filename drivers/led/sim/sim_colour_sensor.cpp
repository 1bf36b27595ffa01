#include "drivers/led/sim/sim_colour_sensor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/random.hpp"
#include "drivers/sim/sim_world.hpp"
#include "drivers/sim/status_led.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

constexpr Duration kBatchEvery = milliseconds(200);
constexpr double kMaxJitter = 0.05;  // of the sample interval
constexpr double kDropChance = 0.005;

class SimColourSensor final : public ColourSensor {
 public:
  SimColourSensor(Clock& clock, StatusLed& led, std::string device_name, const SimSensorSettings& s,
                  const LedOptics& optics, std::uint64_t seed, std::optional<LedCalibration> calibration)
      : clock_(clock),
        led_(led),
        device_name_(std::move(device_name)),
        interval_(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / s.rate_hz))),
        optics_(optics, static_cast<float>(s.gain), static_cast<float>(s.ambient)),
        noise_sd_(static_cast<float>(s.noise)),
        correction_(calibration ? std::optional(sensor_correction(*calibration)) : std::nullopt),
        random_(seed),
        noise_(seed ^ 0x6e6f697365ULL),
        gone_after_(s.gone_after) {
    samples_.reserve(static_cast<std::size_t>(s.rate_hz) + 8);
  }

  void start(Listener listener) override {
    stop();
    listener_ = std::move(listener);
    next_sample_ = clock_.now();
    if (gone_after_ && !gone_at_) gone_at_ = next_sample_ + *gone_after_;
    timer_ = clock_.after(kBatchEvery, [this] { batch(); });
  }

  void stop() override { timer_.cancel(); }

  std::string describe() const override {
    return fmt::format("simulated colour sensor on {}{}", device_name_, correction_ ? ", calibrated" : "");
  }
  std::optional<ChannelMatrix> colour_correction() const override { return correction_; }

 private:
  float channel(float light) { return std::max(0.0F, light + noise_sd_ * noise_.next()); }

  void batch() {
    const Instant now = clock_.now();
    const bool gone = gone_at_ && now >= *gone_at_;
    const Instant last = gone ? *gone_at_ : now;
    const auto max_jitter = static_cast<double>(interval_.count()) * kMaxJitter;
    // The room light drifts over minutes: once a batch is close enough.
    const Rgb ambient = optics_.ambient_at(now);
    samples_.clear();
    for (; next_sample_ <= last; next_sample_ += interval_) {
      if (random_.chance(kDropChance)) continue;
      const Instant t = next_sample_ - Duration{static_cast<Duration::rep>(max_jitter * random_.uniform())};
      const Rgb light = optics_.reading(led_.emitted(t), ambient);
      samples_.push_back({t, channel(light.r), channel(light.g), channel(light.b)});
    }
    // Unplugged, the sensor answers no more reads: its last samples, the fault once, and nothing after.
    if (!gone) timer_ = clock_.after(kBatchEvery, [this] { batch(); });
    if (!samples_.empty() && listener_.on_samples) listener_.on_samples(samples_);
    if (gone && listener_.on_fault) {
      listener_.on_fault(HardwareFault{
          fmt::format("no answer at 0x29 (sensor unplugged?): its reads fail from {} after it started "
                      "(simulated fault)",
                      format_duration(*gone_after_))});
    }
  }

  Clock& clock_;
  StatusLed& led_;
  std::string device_name_;
  Duration interval_;
  OpticalPath optics_;
  float noise_sd_;
  std::optional<ChannelMatrix> correction_;
  Random random_;
  GaussianSource noise_;
  Listener listener_;
  std::optional<Duration> gone_after_;
  std::optional<Instant> gone_at_;
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
  std::optional<ChannelMatrix> colour_correction() const override { return sensor_->colour_correction(); }

 private:
  std::shared_ptr<SimWorld> world_;
  std::unique_ptr<ColourSensor> sensor_;
};

std::vector<std::string> optics_names() {
  std::vector<std::string> names{"device"};
  for (const OpticsVariant& v : optics_variants()) names.emplace_back(v.name);
  return names;
}

// The device's entry of the calibration file, when it is complete.
std::optional<LedCalibration> load_calibration(const std::string& file, const std::string& device) {
  Diagnostics diags;
  const auto calibrations = LedCalibrations::load(file, diags);
  if (!calibrations) throw std::runtime_error(diags.items().front().to_string());
  const LedCalibration* cal = calibrations->find(device);
  if (cal == nullptr || !cal->complete()) return std::nullopt;
  component_log("sim").info("{}: LED sensor calibrated by {}", device, file);
  return *cal;
}

}  // namespace

SimSensorSettings SimSensorSettings::read(const BackendSpec& spec, Diagnostics& diags) {
  SimSensorSettings s;
  read_backend_params(spec, diags, "sim led backend", [&s](MapReader& params) {
    s.rate_hz = params.number("rate_hz", false, 20, 1000).value_or(s.rate_hz);
    s.noise = params.number("noise", false, 0, 1).value_or(s.noise);
    s.ambient = params.number("ambient", false, 0, 1).value_or(s.ambient);
    s.gain = params.number("gain", false, 0.001, 1000).value_or(s.gain);
    s.optics = params.choice("optics", optics_names()).value_or(s.optics);
    s.calibration = params.text("calibration");
    s.gone_after = params.duration("gone_after");
  });
  return s;
}

LedOptics SimSensorSettings::optics_for(std::string_view device_key) const {
  if (const OpticsVariant* variant = find_optics_variant(optics)) return variant->optics;
  return device_optics(stream_seed(0, device_key, "led_optics"));
}

std::unique_ptr<ColourSensor> make_sim_colour_sensor(Clock& clock, StatusLed& led, std::string device_name,
                                                     const SimSensorSettings& settings, std::uint64_t seed,
                                                     std::optional<LedCalibration> calibration) {
  const LedOptics optics = settings.optics_for(device_name);
  return std::make_unique<SimColourSensor>(clock, led, std::move(device_name), settings, optics, seed,
                                           std::move(calibration));
}

std::unique_ptr<ColourSensor> make_sim_led_sensor(const BackendSite& site, BackendContext& ctx,
                                                  CalibrationUse calibration) {
  std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
  SimDevice& device = world->device_for(site, "led");
  Diagnostics reported_by_validate;
  const SimSensorSettings settings = SimSensorSettings::read(site.spec, reported_by_validate);
  const RackDevice& rack_device = device.rack_device();
  std::optional<LedCalibration> cal;
  if (calibration == CalibrationUse::apply) {
    cal = load_calibration(resolve_led_calibration_file(ctx.rack().file, settings.calibration),
                           rack_device.name);
  }
  const std::string& id = rack_device.id.str();
  auto sensor = std::make_unique<SimColourSensor>(ctx.clock(), device.led(), rack_device.name, settings,
                                                  settings.optics_for(id),
                                                  stream_seed(ctx.seed(), id, "colour_sensor"), cal);
  return std::make_unique<WorldSensor>(std::move(world), std::move(sensor));
}

BackendFactory<ColourSensor> sim_led_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate =
              [](const BackendSite& site, Diagnostics& diags) {
                const SimSensorSettings s = SimSensorSettings::read(site.spec, diags);
                // A broken calibration file is reported before the run, as for tcs34725.
                LedCalibrations::load(resolve_led_calibration_file(site.spec.loc.file, s.calibration), diags);
              },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<ColourSensor> {
            return make_sim_led_sensor(site, ctx, CalibrationUse::apply);
          }};
}

}  // namespace cyanrig::sim
