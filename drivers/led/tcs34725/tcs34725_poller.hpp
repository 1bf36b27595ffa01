// One TCS34725's life on its bus, one short step at a time: configure and power up, read the colour
// burst, adjust the gain, notice that the sensor vanished, retry slowly, notice that it is back.
//
// Synchronous and clock-free: the caller says what time it is and gets back what was seen and when
// the sensor wants the bus next, so tests drive it step by step against a scripted bus, and
// SensorBus drives every sensor of a bus from one thread. Each step is a few short transactions
// (a mux select and one burst read is ~0.3 ms at 400 kHz); nothing in here sleeps.
#pragma once

#include <optional>
#include <string>

#include "drivers/led/tcs34725/bus_port.hpp"
#include "drivers/led/tcs34725/tcs34725_registers.hpp"
#include "rig/capabilities/colour_sensor.hpp"
#include "rig/capabilities/status.hpp"

namespace cyanrig {

// Where a sensor is, in the rack file's words. Starts every fault message; the device name is added
// by whoever reports the fault (HardwareFault's rule).
struct SensorLocation {
  std::string bus;                // "/dev/i2c-1"
  std::optional<MuxChannel> mux;  // none when the sensor is on the bus itself
  I2cAddress address = tcs34725::kAddress;

  std::string to_string() const;  // "led sensor on /dev/i2c-1 mux 0x70 channel 3 address 0x29"
};

struct Tcs34725Settings {
  tcs34725::Integration integration{2};  // 4.8 ms: fits the 5 ms period of 200 Hz
  tcs34725::Gain gain = tcs34725::Gain::x16;
  Duration period = std::chrono::milliseconds(5);  // 200 Hz: eight samples per 40 Hz LED step
  bool auto_gain = true;
};

// One reading as the chip gave it.
struct Tcs34725Reading {
  Instant t;  // middle of the integration it comes from: on average one integration time before the read
  tcs34725::Crgb counts;
  tcs34725::Gain gain = tcs34725::Gain::x1;
  tcs34725::Integration integration;
};

// The reading in counts per 2.4 ms cycle at 1x gain (tcs34725_registers.hpp), clear channel in `c`.
RgbSample to_sample(const Tcs34725Reading& reading);

struct PollResult {
  std::optional<Tcs34725Reading> reading;
  std::optional<HardwareFault> fault;  // the sensor stopped working: reported once per outage
  bool recovered = false;              // it works again after a fault (also logged)
  Instant next;                        // when it wants the bus again
};

class Tcs34725Poller {
 public:
  // A failed read is retried at the next sample; this many failures in a row are a fault (a relay
  // switching next to the bus can garble one transaction, and a lost sample costs the decoder
  // nothing).
  static constexpr int kFailuresBeforeFault = 3;
  // A vanished sensor is looked for this often: slowly, so a dead bus does not starve the others.
  static constexpr Duration kRetryEvery = std::chrono::seconds(1);
  // Auto-gain raises the gain only after the light stayed dim this long: longer than a 4 s breath
  // and any blink's dark phase, so a dark moment alone never raises it.
  static constexpr Duration kAutoGainWindow = std::chrono::milliseconds(4500);

  // `device` names the rack device in log lines.
  Tcs34725Poller(std::string device, SensorLocation where, Tcs34725Settings settings);

  // Whether a TCS3472x answers where the rack says (its ID register): the check made when the
  // backend is built, so an unplugged sensor fails the run's setup rather than its first wait.
  Status identify(BusPort& port);

  // Does the step due at or before `now`.
  PollResult poll(BusPort& port, Instant now);

  // When the first step is due (then PollResult::next).
  Instant due() const { return due_; }
  void restart_at(Instant when) { due_ = when; }
  tcs34725::Gain gain() const { return gain_; }
  const SensorLocation& where() const { return where_; }
  const Tcs34725Settings& settings() const { return settings_; }

 private:
  enum class Phase { configure, enable_adc, read };

  void configure(BusPort& port, Instant now, PollResult& out);
  void enable_adc(BusPort& port, Instant now, PollResult& out);
  void read(BusPort& port, Instant now, PollResult& out);
  // Applies auto-gain to a reading; false when the reading must be dropped.
  bool adjust_gain(BusPort& port, const tcs34725::Crgb& counts, Instant now, PollResult& out);
  void failed(const std::string& cause, Instant now, PollResult& out);
  // Each returns why it failed ("no answer at 0x29 (sensor unplugged?)"), or nothing.
  std::optional<std::string> route(BusPort& port);
  std::optional<std::string> check_id(BusPort& port);
  std::optional<std::string> write_register(BusPort& port, tcs34725::Register reg, std::uint8_t value);
  std::string cause_of(const I2cError& error) const;
  void next_sample(Instant now);

  std::string device_;
  SensorLocation where_;
  Tcs34725Settings settings_;
  Phase phase_ = Phase::configure;
  tcs34725::Gain gain_;
  Instant due_{};
  Instant adc_enabled_{};
  int failures_ = 0;
  std::optional<Instant> lost_since_;  // set while a fault stands
  bool drop_next_ = false;             // the reading after a gain change straddles it
  std::uint16_t peak_clear_ = 0;       // brightest clear count in the auto-gain window
  Instant window_start_{};
  bool warned_saturated_ = false;
};

}  // namespace cyanrig
