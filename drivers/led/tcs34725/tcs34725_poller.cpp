#include "drivers/led/tcs34725/tcs34725_poller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

using namespace tcs34725;

// STATUS and the colour burst in one read: STATUS sits just before CDATAL, so one more
// byte tells whether the chip reset since it was configured.
constexpr std::size_t kBurstBytes = 1 + kCrgbBytes;

spdlog::logger& sensor_log() {
  return component_log("tcs34725");
}

}  // namespace

std::string SensorLocation::to_string() const {
  if (!mux) return fmt::format("led sensor on {} address {}", bus, address.to_string());
  return fmt::format("led sensor on {} mux {} channel {} address {}", bus, mux->address.to_string(),
                     mux->channel, address.to_string());
}

RgbSample to_sample(const Tcs34725Reading& reading) {
  const auto scaled = [&](std::uint16_t count) {
    return per_cycle_at_1x(count, reading.gain, reading.integration);
  };
  const Crgb& n = reading.counts;
  return {reading.t, scaled(n.r), scaled(n.g), scaled(n.b), scaled(n.c)};
}

Tcs34725Poller::Tcs34725Poller(std::string device, SensorLocation where, Tcs34725Settings settings)
    : device_(std::move(device)), where_(std::move(where)), settings_(settings), gain_(settings.gain) {}

std::string Tcs34725Poller::cause_of(const I2cError& error) const {
  if (!error.no_answer) return error.text;
  if (error.address == where_.address) return error.text + " (sensor unplugged?)";
  return error.text + " (multiplexer unplugged, or a wrong mux address?)";
}

std::optional<std::string> Tcs34725Poller::route(BusPort& port) {
  if (auto error = port.route(where_.mux)) return cause_of(*error);
  return std::nullopt;
}

std::optional<std::string> Tcs34725Poller::check_id(BusPort& port) {
  if (auto cause = route(port)) return cause;
  const std::array<std::uint8_t, 1> out = {command(Register::id)};
  std::array<std::uint8_t, 1> id{};
  if (auto error = port.bus().transfer(where_.address, out, id)) return cause_of(*error);
  if (is_tcs3472x_id(id[0])) return std::nullopt;
  return fmt::format("answers with ID 0x{:02x}: not a TCS34725 (ID 0x{:02x}) or TCS34727 (0x{:02x})", id[0],
                     kIdTcs34725, kIdTcs34727);
}

std::optional<std::string> Tcs34725Poller::write_register(BusPort& port, Register reg, std::uint8_t value) {
  const std::array<std::uint8_t, 2> out = {command(reg), value};
  if (auto error = port.bus().write(where_.address, out)) return cause_of(*error);
  return std::nullopt;
}

Status Tcs34725Poller::identify(BusPort& port) {
  if (auto cause = check_id(port)) return fault(fmt::format("{}: {}", where_.to_string(), *cause));
  return Status{};
}

PollResult Tcs34725Poller::poll(BusPort& port, Instant now) {
  PollResult out;
  switch (phase_) {
    case Phase::configure:
      configure(port, now, out);
      break;
    case Phase::enable_adc:
      enable_adc(port, now, out);
      break;
    case Phase::read:
      read(port, now, out);
      break;
  }
  out.next = due_;
  return out;
}

// Integration time and gain first, then the oscillator (PON); the ADC waits for enable_adc().
void Tcs34725Poller::configure(BusPort& port, Instant now, PollResult& out) {
  std::optional<std::string> cause = check_id(port);
  if (!cause) cause = write_register(port, Register::atime, settings_.integration.atime());
  if (!cause) cause = write_register(port, Register::control, control_byte(gain_));
  if (!cause) cause = write_register(port, Register::enable, kPowerOn);
  if (cause) return failed(*cause, now, out);
  phase_ = Phase::enable_adc;
  due_ = now + kPowerOnWait;
}

void Tcs34725Poller::enable_adc(BusPort& port, Instant now, PollResult& out) {
  std::optional<std::string> cause = route(port);
  if (!cause) cause = write_register(port, Register::enable, kPowerOn | kAdcEnable);
  if (cause) return failed(*cause, now, out);
  phase_ = Phase::read;
  adc_enabled_ = now;
  window_start_ = now;
  peak_clear_ = 0;
  due_ = now + settings_.integration.duration();  // the first integration ends then
}

void Tcs34725Poller::read(BusPort& port, Instant now, PollResult& out) {
  if (auto cause = route(port)) return failed(*cause, now, out);
  const std::array<std::uint8_t, 1> out_bytes = {auto_increment(Register::status)};
  std::array<std::uint8_t, kBurstBytes> burst{};
  if (auto error = port.bus().transfer(where_.address, out_bytes, burst))
    return failed(cause_of(*error), now, out);
  failures_ = 0;
  next_sample(now);
  if (!status_valid(burst[0])) {
    // The first integration may end a little late (the chip's oscillator is +-10%); later than
    // that, the chip has lost its configuration: it was power-cycled or replugged.
    if (now - adc_enabled_ < 2 * settings_.integration.duration() + settings_.period) return;
    sensor_log().warn("{}: {}: the sensor reset (no valid data): configuring it again", device_,
                      where_.to_string());
    phase_ = Phase::configure;
    due_ = now;
    return;
  }
  if (lost_since_) {
    sensor_log().info("{}: {}: the sensor answers again after {:.1f} s", device_, where_.to_string(),
                      to_seconds(now - *lost_since_));
    lost_since_.reset();
    out.recovered = true;
  }
  const Crgb counts = decode_crgb(std::span<const std::uint8_t, kCrgbBytes>(burst.data() + 1, kCrgbBytes));
  const Tcs34725Reading reading{now - settings_.integration.duration(), counts, gain_, settings_.integration};
  if (adjust_gain(port, counts, now, out)) out.reading = reading;
}

bool Tcs34725Poller::adjust_gain(BusPort& port, const Crgb& counts, Instant now, PollResult& out) {
  const bool dropped = std::exchange(drop_next_, false);
  const bool saturated = is_saturated(counts, settings_.integration);
  if (saturated && !warned_saturated_ && (!settings_.auto_gain || gain_ == Gain::x1)) {
    warned_saturated_ = true;
    sensor_log().warn(
        "{}: {}: light saturates the sensor at {} gain and {} ms: shorten the integration or dim the "
        "light (a diffuser, more distance)",
        device_, where_.to_string(), to_string(gain_), to_ms(settings_.integration.duration()));
  }
  if (!settings_.auto_gain) return !dropped;
  peak_clear_ = std::max(peak_clear_, counts.c);
  std::optional<Gain> next;
  if (saturated) {
    next = gain_below(gain_);
  } else if (now - window_start_ >= kAutoGainWindow) {
    next = next_gain(gain_, peak_clear_, settings_.integration);
    window_start_ = now;
    peak_clear_ = 0;
  }
  if (!next) return !dropped;
  if (auto cause = write_register(port, Register::control, control_byte(*next))) {
    failed(*cause, now, out);
    return false;
  }
  sensor_log().debug("{}: {}: gain {} -> {}", device_, where_.to_string(), to_string(gain_),
                     to_string(*next));
  gain_ = *next;
  drop_next_ = true;
  window_start_ = now;
  peak_clear_ = 0;
  return !dropped && !saturated;  // a clipped reading has the wrong colour: its successor will not
}

void Tcs34725Poller::failed(const std::string& cause, Instant now, PollResult& out) {
  ++failures_;
  if (!lost_since_ && failures_ < kFailuresBeforeFault) {
    sensor_log().debug("{}: {}: {} (retrying)", device_, where_.to_string(), cause);
    next_sample(now);
    return;
  }
  // Whatever state the chip is in, it is configured from scratch once it answers again.
  phase_ = Phase::configure;
  due_ = now + kRetryEvery;
  if (lost_since_) return;  // already reported
  lost_since_ = now;
  const std::string message = fmt::format("{}: {}", where_.to_string(), cause);
  sensor_log().error("{}: {}; retrying every {} s", device_, message, to_seconds(kRetryEvery));
  out.fault = HardwareFault{message};
}

void Tcs34725Poller::next_sample(Instant now) {
  due_ += settings_.period;
  if (due_ <= now) due_ = now + settings_.period;  // fell behind (a busy bus): skip, do not catch up
}

}  // namespace cyanrig
