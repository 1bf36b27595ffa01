#include "drivers/led/tcs34725/tcs34725_sensor.hpp"

#include <fmt/format.h>

#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "drivers/led/tcs34725/sensor_bus.hpp"
#include "rig/core/component_log.hpp"
#include "rig/led/calibration.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

using namespace tcs34725;

// Samples go to the loop this often: the decoder gains nothing from fresher batches, the loop from
// fewer wake-ups.
constexpr Duration kBatchEvery = std::chrono::milliseconds(50);
// The LED decoder needs 40 Hz (the LED changes in 25 ms steps).
constexpr double kMinRateHz = 40;

spdlog::logger& sensor_log() {
  return component_log("tcs34725");
}

// "200Hz", "200 Hz" or 200.
std::optional<double> read_rate(MapReader& params) {
  const auto text = params.text("rate");
  if (!text) return std::nullopt;
  std::string number = *text;
  for (const std::string_view unit : {"Hz", "hz"}) {
    if (number.ends_with(unit)) number.resize(number.size() - unit.size());
  }
  char* end = nullptr;
  const double hz = std::strtod(number.c_str(), &end);
  const bool complete = !number.empty() && (*end == '\0' || std::string_view(end) == " ");
  if (!complete || !std::isfinite(hz) || hz < kMinRateHz) {
    params.error("rate",
                 fmt::format("'rate' must be a rate of at least {} Hz such as 200Hz (the LED changes in "
                             "25 ms steps), found '{}'",
                             kMinRateHz, *text));
    return std::nullopt;
  }
  return hz;
}

// `address: 0x29`, checked against [first, last] with the range in hex.
std::optional<I2cAddress> read_address(MapReader& params, std::string_view key, I2cAddress fallback,
                                       I2cAddress first, I2cAddress last) {
  const auto value = params.integer(key);  // asked for even when absent: a typo then gets a suggestion
  if (!value) return params.has(key) ? std::nullopt : std::optional<I2cAddress>(fallback);
  if (*value < first.value || *value > last.value) {
    params.error(key, fmt::format("'{}' must be an I2C address from {} to {}, found 0x{:x}", key,
                                  first.to_string(), last.to_string(), *value));
    return std::nullopt;
  }
  return I2cAddress{static_cast<std::uint8_t>(*value)};
}

std::optional<MuxChannel> read_mux(MapReader& params, bool& ok) {
  const YAML::Node node = params.node("mux");
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  MapReader mux(node, params.file(), params.diags(), "'mux'");
  if (!mux.valid()) {
    ok = false;
    return std::nullopt;
  }
  const auto address =
      read_address(mux, "address", tca9548a::kFirstAddress, tca9548a::kFirstAddress, tca9548a::kLastAddress);
  const auto channel = mux.integer("channel", true, 0, tca9548a::kChannels - 1);
  mux.finish();
  if (!address || !channel) {
    ok = false;
    return std::nullopt;
  }
  return MuxChannel{*address, static_cast<unsigned>(*channel)};
}

std::optional<Integration> read_integration(MapReader& params) {
  const auto d = params.duration("integration");
  if (!d) return std::nullopt;
  if (*d < kCycle * kMinCycles || *d > kCycle * kMaxCycles) {
    params.error("integration",
                 fmt::format("'integration' must be from 2.4ms to 614.4ms (steps of 2.4 ms), found "
                             "{} ms",
                             to_ms(*d)));
    return std::nullopt;
  }
  return Integration::nearest(*d);
}

// Each sample needs an integration of its own: a longer one would deliver the same reading twice.
void check_fit(MapReader& params, const Tcs34725Settings& s, double rate_hz) {
  if (s.integration.duration() <= s.period) return;
  const int cycles_that_fit = static_cast<int>(s.period / kCycle);
  const std::string shorter = cycles_that_fit >= 1
                                  ? fmt::format("integration at most {} ms", to_ms(kCycle * cycles_that_fit))
                                  : std::string("a lower rate");
  params.error("integration",
               fmt::format("integration {} ms does not fit in the {:.3g} ms sample period of {} Hz: "
                           "use {}, or rate at most {} Hz",
                           to_ms(s.integration.duration()), to_ms(s.period), rate_hz, shorter,
                           std::floor(1000.0 / to_ms(s.integration.duration()))));
}

// Delivers to the loop what the bus thread saw. The thread fills it under `mutex`; the loop takes it.
struct Outbox {
  std::mutex mutex;
  std::vector<RgbSample> samples;
  std::vector<HardwareFault> faults;
  bool flush_posted = false;
  ColourSensor::Listener listener;  // loop thread only

  void flush() {
    std::vector<RgbSample> batch;
    std::vector<HardwareFault> raised;
    {
      const std::scoped_lock lock(mutex);
      batch.swap(samples);
      raised.swap(faults);
      flush_posted = false;
    }
    if (!batch.empty() && listener.on_samples) listener.on_samples(batch);
    for (HardwareFault& f : raised) {
      if (listener.on_fault) listener.on_fault(std::move(f));
    }
  }
};

class Tcs34725Sensor final : public ColourSensor, private SensorBus::Client {
 public:
  Tcs34725Sensor(Clock& clock, std::shared_ptr<SensorBus> bus, Tcs34725Poller poller,
                 std::optional<LedCalibration> calibration)
      : clock_(clock),
        bus_(std::move(bus)),
        poller_(std::move(poller)),
        correction_(calibration ? std::optional(sensor_correction(*calibration)) : std::nullopt) {}
  Tcs34725Sensor(const Tcs34725Sensor&) = delete;
  Tcs34725Sensor& operator=(const Tcs34725Sensor&) = delete;
  ~Tcs34725Sensor() override { stop(); }

  void start(Listener listener) override {
    stop();
    outbox_->listener = std::move(listener);
    poller_.restart_at(clock_.now());  // not attached: the bus thread cannot be using the poller
    bus_->attach(*this);
    attached_ = true;
  }

  void stop() override {
    if (!attached_) return;
    bus_->detach(*this);
    attached_ = false;
    outbox_->listener = {};  // batches already posted arrive at nobody
  }

  std::string describe() const override {
    const Tcs34725Settings& s = poller_.settings();  // never changes: safe beside the bus thread
    return fmt::format("{}: TCS34725, {:.4g} ms integration, gain {}{}, {:.4g} Hz{}",
                       poller_.where().to_string(), to_ms(s.integration.duration()), to_string(s.gain),
                       s.auto_gain ? " (auto)" : "", 1.0 / to_seconds(s.period),
                       correction_ ? ", calibrated" : "");
  }
  std::optional<ChannelMatrix> colour_correction() const override { return correction_; }

 private:
  // Bus thread.
  Instant due() const override { return poller_.due(); }
  void poll(BusPort& port, Instant now) override {
    PollResult result = poller_.poll(port, now);
    if (!result.reading && !result.fault) return;
    const std::scoped_lock lock(outbox_->mutex);
    if (result.reading) {
      outbox_->samples.push_back(to_sample(*result.reading));
    }
    if (result.fault) outbox_->faults.push_back(std::move(*result.fault));
    const bool batch_due = !outbox_->faults.empty() ||
                           (!outbox_->samples.empty() && now - outbox_->samples.front().t >= kBatchEvery);
    if (batch_due && !outbox_->flush_posted) {
      outbox_->flush_posted = true;
      // The sensor dies on the loop thread, so the check and the use cannot race.
      clock_.post([outbox = std::weak_ptr<Outbox>(outbox_)] {
        if (auto alive = outbox.lock()) alive->flush();
      });
    }
  }

  Clock& clock_;
  std::shared_ptr<SensorBus> bus_;
  Tcs34725Poller poller_;                    // used by the bus thread while attached, else by the loop
  std::optional<ChannelMatrix> correction_;  // never changes: safe beside the bus thread
  std::shared_ptr<Outbox> outbox_ = std::make_shared<Outbox>();
  bool attached_ = false;
};

std::optional<LedCalibration> load_calibration(const std::string& file, const std::string& device) {
  Diagnostics diags;
  const auto calibrations = LedCalibrations::load(file, diags);
  if (!calibrations) throw std::runtime_error(diags.items().front().to_string());
  const LedCalibration* cal = calibrations->find(device);
  if (cal == nullptr || !cal->complete()) {
    sensor_log().info("{}: no complete calibration in {}: readings are raw counts (cyanrig led calibrate {})",
                      device, file, device);
    return std::nullopt;
  }
  return *cal;
}

std::optional<Tcs34725Params> read_params(const BackendSpec& spec, const std::string& rack_file,
                                          Diagnostics& diags) {
  MapReader params(spec.params, spec.loc.file, diags, "tcs34725 led backend");
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  Tcs34725Params out;
  out.where.bus = params.text("bus", true).value_or("");
  bool mux_ok = true;
  out.where.mux = read_mux(params, mux_ok);
  const auto address = read_address(params, "address", kAddress, I2cAddress{0x08}, I2cAddress{0x77});
  const auto integration = read_integration(params);
  const auto gain = params.choice("gain", {"1x", "4x", "16x", "60x"});
  const auto rate = read_rate(params);
  const auto auto_gain = params.boolean("auto_gain");
  const auto calibration = params.text("calibration");
  if (address) out.where.address = *address;
  if (integration) out.settings.integration = *integration;
  if (gain) out.settings.gain = *parse_gain(*gain);
  const double rate_hz = rate.value_or(200);
  out.settings.period = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / rate_hz));
  out.settings.auto_gain = auto_gain.value_or(true);
  out.calibration_file = resolve_led_calibration_file(rack_file, calibration);
  if (diags.size() == errors_before) check_fit(params, out.settings, rate_hz);
  params.finish();
  if (!mux_ok || diags.size() != errors_before) return std::nullopt;
  return out;
}

}  // namespace

std::optional<Tcs34725Params> read_tcs34725_params(const BackendSpec& spec, const std::string& rack_file,
                                                   Diagnostics& diags) {
  return read_params(spec, rack_file, diags);
}

std::unique_ptr<ColourSensor> make_tcs34725_sensor(const BackendSite& site, BackendContext& ctx,
                                                   CalibrationUse calibration) {
  Diagnostics diags;
  const auto params = read_params(site.spec, ctx.rack().file, diags);
  if (!params) {
    throw std::runtime_error(diags.empty() ? "tcs34725 led backend: bad parameters"
                                           : diags.items().front().to_string());
  }
  const std::string device = site.device != nullptr ? site.device->name : "?";
  std::optional<LedCalibration> cal;
  if (calibration == CalibrationUse::apply) cal = load_calibration(params->calibration_file, device);

  auto& buses = ctx.shared<SensorBuses>([] { return std::make_shared<SensorBuses>(); });
  std::shared_ptr<SensorBus> bus;
  try {
    bus = buses.get(ctx.clock(), params->where.bus);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", params->where.to_string(), e.what()));
  }
  Tcs34725Poller poller(device, params->where, params->settings);
  if (const Status problem = bus->exclusive([&](BusPort& port) { return poller.identify(port); });
      !problem.ok()) {
    throw std::runtime_error(problem.message());
  }
  auto sensor =
      std::make_unique<Tcs34725Sensor>(ctx.clock(), std::move(bus), std::move(poller), std::move(cal));
  sensor_log().info("{}: {}", device, sensor->describe());
  return sensor;
}

BackendFactory<ColourSensor> tcs34725_led_backend() {
  return {.validate =
              [](const BackendSite& site, Diagnostics& diags) {
                // The rack file's own name is where validation reports; Rack::file is not at hand here.
                const auto params = read_params(site.spec, site.spec.loc.file, diags);
                if (params) LedCalibrations::load(params->calibration_file, diags);
              },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<ColourSensor> {
            return make_tcs34725_sensor(site, ctx, CalibrationUse::apply);
          },
          // One sensor per mux channel (every TCS34725 answers at 0x29), or per address on the bus itself.
          .claims = [](const BackendSite& site) -> std::vector<ResourceClaim> {
            Diagnostics ignored;  // validate() reports them
            const auto params = read_params(site.spec, site.spec.loc.file, ignored);
            if (!params) return {};
            const SensorLocation& at = params->where;
            if (at.mux) {
              const std::string where =
                  fmt::format("{} mux 0x{:02x} channel {}", at.bus, at.mux->address.value, at.mux->channel);
              return {{"i2c " + where, "I2C " + where, loc_of(site.spec.params["mux"], site.spec.loc.file)}};
            }
            const std::string where = fmt::format("{} address 0x{:02x}", at.bus, at.address.value);
            return {{"i2c " + where, "I2C " + where, loc_of(site.spec.params["bus"], site.spec.loc.file)}};
          }};
}

}  // namespace cyanrig
