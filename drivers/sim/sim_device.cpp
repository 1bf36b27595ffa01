#include "drivers/sim/sim_device.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::optional<long long> whole_number(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct SleepRequest {
  SleepMode mode;
  Duration length;
};

// `sleep` function argument: `<stop|ulp|hibernate>,<seconds>`.
std::optional<SleepRequest> parse_sleep(std::string_view arg) {
  const auto comma = arg.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  const std::string_view mode = arg.substr(0, comma);
  const auto secs = whole_number(arg.substr(comma + 1));
  if (!secs || *secs <= 0) return std::nullopt;
  SleepRequest r{SleepMode::stop, seconds(*secs)};
  if (mode == "ulp") {
    r.mode = SleepMode::ulp;
  } else if (mode == "hibernate") {
    r.mode = SleepMode::hibernate;
  } else if (mode != "stop") {
    return std::nullopt;
  }
  return r;
}

// `led` function argument "rgb,R,G,B" (each 0..255): the colour the application shows.
std::optional<Rgb> parse_led_colour(std::string_view arg) {
  constexpr std::string_view kPrefix = "rgb,";
  if (!arg.starts_with(kPrefix)) return std::nullopt;
  arg.remove_prefix(kPrefix.size());
  std::uint32_t hex = 0;
  for (int channel = 0; channel < 3; ++channel) {
    const auto comma = arg.find(',');
    if ((comma == std::string_view::npos) != (channel == 2)) return std::nullopt;
    const auto value = whole_number(arg.substr(0, comma));
    if (!value || *value < 0 || *value > 255) return std::nullopt;
    hex = (hex << 8U) | static_cast<std::uint32_t>(*value);
    arg.remove_prefix(comma == std::string_view::npos ? arg.size() : comma + 1);
  }
  return Rgb::from_hex(hex);
}

// `panic` function argument: the SOS code, 1..99 (§2 lists 1-15).
std::optional<int> parse_panic_code(std::string_view arg) {
  const auto code = whole_number(arg);
  if (!code || *code < 1 || *code > 99) return std::nullopt;
  return static_cast<int>(*code);
}

const Platform& platform_of(const RackDevice& device) {
  if (device.platform == nullptr) throw std::runtime_error("a simulated device needs a platform");
  return *device.platform;
}

}  // namespace

SimDevice::SimDevice(Clock& clock, RackDevice device, DeviceFaults faults, NetworkSegment& segment,
                     SimParticleCloud& cloud, std::uint64_t run_seed)
    : device_(std::move(device)),
      platform_(platform_of(device_)),
      timing_(timing_for(platform_)),
      faults_(faults),
      cloud_(cloud),
      random_(stream_seed(run_seed, device_.id.str(), "device")),
      usb_(clock, stream_seed(run_seed, device_.id.str(), "usb")),
      log_(clock, usb_),
      led_(clock),
      parts_{clock, device_, platform_, timing_, random_, log_, led_, segment},
      network_(parts_,
               {.on_up = [this] { session_.connect(); }, .on_lost = [this] { session_.network_lost(); }}),
      session_(parts_, {.on_connected = [this](bool after_outage) { cloud_connected(after_outage); },
                        .on_ping = [this] { return cloud_.heard(device_.id); },
                        .on_lost = [this] { cloud_lost(); },
                        .on_network_reset = [this] { network_.reset(); },
                        .handshake_refused = [this] { return handshake_refused(); }}),
      update_(parts_,
              {.on_status = [this](std::string_view status) { cloud_.flash_status(device_.id, status); },
               .on_failed = [this] { led_.show(session_.connected() ? "breathing_cyan" : "blinking_cyan"); },
               .on_applied = [this](std::string version) { update_applied(std::move(version)); }}),
      boot_steps_(clock),
      app_steps_(clock),
      firmware_version_(device_.firmware.empty() ? "1.0.0" : device_.firmware) {
  segment_watch_ = segment.watch([this] { segment_changed(); });
  cloud_.enroll(device_, *this, timing_);
  firmware_broken_ = fires(Fault::bad_firmware);  // what the flash holds when the run begins
}

SimDevice::~SimDevice() {
  parts_.segment.unwatch(segment_watch_);
}

std::string SimDevice::state() const {
  switch (mode_) {
    case Mode::off:
      return "off";
    case Mode::booting:
      return "booting";
    case Mode::sleeping:
      return "sleeping";
    case Mode::panicking:
      return "panic";
    case Mode::dfu:
      return "dfu";
    case Mode::running:
      break;
  }
  if (update_.active()) return "updating";
  if (session_.phase_name() != "idle") return fmt::format("cloud_{}", session_.phase_name());
  return fmt::format("network_{}", network_.phase_name());
}

bool SimDevice::fires(Fault fault) {
  const std::optional<double> p = faults_.probability(fault);
  if (!p) return false;
  const bool hit = random_.chance(*p);
  if (hit)
    sim_log().debug("{}: fault {} fires", device_.name, fault_names()[static_cast<std::size_t>(fault)]);
  return hit;
}

// --- supply, boot, reset ---

void SimDevice::set_power(PowerState state) {
  const bool on = state == PowerState::on;
  if (on == powered_) return;
  powered_ = on;
  sim_log().debug("{}: power {}", device_.name, to_string(state));
  if (on) {
    resets_ = 0;  // retained RAM does not survive a power loss
    boot({ResetReason::power_down, 0});
    return;
  }
  // Power lost half-way through a DFU download leaves half an application.
  if (dfu_writing_) firmware_broken_ = true;
  halt();
  usb_.detach("power off");
  led_.go_dark();
  mode_ = Mode::off;
  // A power cycle clears every fault state and the session cache (§8: "until power-cycled").
  stuck_ = false;
  bad_keys_ = false;
  orphaned_ = false;
  slow_recovery_pending_ = false;
  session_.forget_session();
}

// §2 typical power-up: dark ~1 s, breathing white ~1 s, then the network. USB enumerates first so
// the boot lines reach the host.
void SimDevice::boot(LastReset reason) {
  mode_ = Mode::booting;
  booted_at_ = parts_.clock.now();
  log_.restart_millis();
  last_reset_ = reason;
  reset_reported_ = false;
  orphaned_ = false;
  led_.show("off");
  // A broken application has no log handler: nothing it or the system logs reaches the port.
  log_.set_handler(!firmware_broken_);
  bad_keys_ = fires(Fault::bad_keys);
  if (parts_.segment.outage() && fires(Fault::stuck_after_outage_boot)) stuck_ = true;

  const Duration attach = parts_.draw(timing_.usb_attach_after_boot);
  const Duration dark = std::max(parts_.draw(timing_.led_dark), attach + milliseconds(50));
  // Device OS registers its line-coding handler with its USB stack (device-os system/src/main.cpp):
  // from the port's first appearance a request for DFU mode is heard.
  boot_steps_.then(attach, [this] { attach_usb("boot"); })
      .then(dark - attach,
            [this] {
              led_.show("breathing_white");
              log_.info(category::kSystem, fmt::format("Device {} started", device_.id.str()));
              log_.trace(category::kSystem,
                         fmt::format("Last reset reason: {} (data: 0x{:02x})",
                                     static_cast<int>(last_reset_.reason), last_reset_.data));
              if (firmware_broken_)
                app_steps_.then(parts_.draw(timing_.app_crash_after), [this] { panic(1); });
            })
      .then(parts_.draw(timing_.breathing_white), [this] {
        mode_ = Mode::running;
        app_started();
        // Power-on and hibernate wake start the radio from cold; other resets keep it powered.
        const bool radio_kept = last_reset_.reason != ResetReason::power_down &&
                                last_reset_.reason != ResetReason::power_management;
        start_network(slow_recovery_pending_ ? faults_.slow_sleep_extra() : Duration{0}, radio_kept);
        slow_recovery_pending_ = false;
      });
}

void SimDevice::start_network(Duration extra, bool radio_kept) {
  network_.bring_up(extra, radio_kept);
}

void SimDevice::reset(LastReset reason) {
  sim_log().debug("{}: reset ({})", device_.name, reset_reason_name(reason.reason));
  halt();
  usb_.detach("reset");
  led_.go_dark();
  ++resets_;
  // §3: Gen 3+ keep their session across a reset and resume it; Gen 2 handshake afresh.
  if (platform_.generation == 2) session_.forget_session();
  boot(reason);
}

void SimDevice::halt() {
  requests_heard_ = false;
  dfu_ready_ = false;
  dfu_writing_ = false;
  boot_steps_.stop();
  app_steps_.stop();
  wake_timer_.cancel();
  network_.stop();
  session_.stop();
  if (update_.stop()) cloud_.update_interrupted(device_.id);
}

// --- sleep (§5) ---

void SimDevice::sleep(SleepMode mode, Duration length) {
  sim_log().debug("{}: sleeps for {} s", device_.name, std::chrono::duration_cast<seconds>(length).count());
  if (session_.disconnect_gracefully()) cloud_.disconnected(device_.id);
  network_.radio_off();
  boot_steps_.stop();
  app_steps_.stop();
  if (update_.stop()) cloud_.update_interrupted(device_.id);
  led_.go_dark();
  usb_.detach("sleep");
  requests_heard_ = false;
  mode_ = Mode::sleeping;
  wake_timer_ = parts_.clock.after(length, [this, mode] { wake(mode); });
}

void SimDevice::wake(SleepMode mode) {
  const bool slow = fires(Fault::slow_sleep_recovery);
  if (mode == SleepMode::hibernate) {
    // HIBERNATE wakes through a reset.
    slow_recovery_pending_ = slow;
    ++resets_;
    if (platform_.generation == 2) session_.forget_session();
    boot({ResetReason::power_management, 0});
    return;
  }
  // STOP and ULTRA_LOW_POWER continue where they stopped: radio back on, then the cloud.
  mode_ = Mode::running;
  boot_steps_.then(parts_.draw(timing_.usb_attach_after_wake), [this] {
    attach_usb("wake");
    app_log("probe: woke up");  // the firmware waits for USB serial first
    app_connection(session_.connected());
  });
  start_network(slow ? faults_.slow_sleep_extra() : Duration{0});
}

// --- panic (§2 SOS) ---

void SimDevice::panic(int code) {
  sim_log().debug("{}: panic {}", device_.name, code);
  log_.write(LogLevel::panic, category::kSystem, fmt::format("{} (code {})", panic_name(code), code));
  network_.stop();
  session_.stop();
  app_steps_.stop();
  if (update_.stop()) cloud_.update_interrupted(device_.id);
  requests_heard_ = false;  // interrupts are off while the SOS plays
  mode_ = Mode::panicking;
  led_.replace("sos", LedSignal::sos(code));
  boot_steps_.then(2 * sos_play_length(code), [this, code] {
    reset({ResetReason::panic, static_cast<std::uint32_t>(code)});
  });
}

// --- DFU (§7) ---

void SimDevice::attach_usb(std::string detail) {
  usb_.attach(std::move(detail));
  requests_heard_ = true;
}

void SimDevice::usb_baud_requested(int baud) {
  if (baud != 14400 || !usb_.attached() || !requests_heard_) return;
  if (mode_ != Mode::running && mode_ != Mode::booting) return;
  enter_dfu();
}

// System.dfu(): a reset into the bootloader, which enumerates as the DFU device and blinks yellow.
void SimDevice::enter_dfu() {
  sim_log().debug("{}: enters DFU mode", device_.name);
  halt();
  usb_.detach("DFU mode");
  led_.go_dark();
  ++resets_;
  if (platform_.generation == 2) session_.forget_session();
  mode_ = Mode::dfu;
  boot_steps_.then(parts_.draw(timing_.dfu_enter), [this] {
    led_.show("blinking_yellow");
    dfu_ready_ = true;
  });
}

bool SimDevice::dfu_download(std::uintmax_t bytes) {
  if (!in_dfu() || dfu_writing_) return false;
  dfu_writing_ = true;
  const auto writing = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(static_cast<double>(bytes) / timing_.dfu_bytes_per_second));
  boot_steps_.then(parts_.draw(timing_.dfu_setup) + writing, [this] {
    dfu_writing_ = false;
    dfu_ready_ = false;
    firmware_broken_ = false;
    ++dfu_downloads_;
    ++resets_;
    sim_log().debug("{}: DFU download written, leaving DFU mode", device_.name);
    led_.go_dark();
    boot({ResetReason::update, 0});  // cyanrig's choice: the bootloader resets into new firmware
  });
  return true;
}

// --- what the outage switch, the cloud session and the update tell the device ---

void SimDevice::segment_changed() {
  if (!powered_ || mode_ != Mode::running) return;
  network_.segment_changed();
  session_.segment_changed();
  update_.segment_changed();
}

void SimDevice::cloud_connected(bool after_outage) {
  app_connection(true);
  if (after_outage && fires(Fault::orphan_after_outage)) orphaned_ = true;
  std::optional<std::string> reset_text;
  if (!reset_reported_) reset_text = last_reset_.cloud_text();
  reset_reported_ = true;
  cloud_.connected(device_.id, describe(), std::move(reset_text));
}

void SimDevice::cloud_lost() {
  app_connection(false);
  update_.cancel();
}

bool SimDevice::handshake_refused() {
  // stuck_after_outage_boot only shows once the outage is gone: until then the outage fails first.
  return bad_keys_ || stuck_ || fires(Fault::flaky_backoff);
}

void SimDevice::update_applied(std::string version) {
  firmware_version_ = std::move(version);
  reset({ResetReason::update, 0});
}

// --- the sim application: the reference probe firmware (scenarios/firmware/probe) ---

void SimDevice::app_log(std::string_view line) {
  log_.info(category::kApp, line);
}

void SimDevice::app_started() {
  app_log(fmt::format("probe: version {} booted, reset reason {}", firmware_version_,
                      static_cast<int>(last_reset_.reason)));
  app_state_ = "connecting";
  app_connected_ = false;
}

// The firmware's loop() notices each change of Particle.connected().
void SimDevice::app_connection(bool connected) {
  if (connected == app_connected_) return;
  app_connected_ = connected;
  app_log(connected ? "probe: cloud connected" : "probe: cloud disconnected");
  if (app_state_ != "rgb") app_state_ = connected ? "online" : "offline";
}

DeviceDescription SimDevice::describe() const {
  return {.functions = {"ping", "sleep", "reset", "panic", "led"},
          .variables = {{"uptime", "int32"}, {"version", "string"}, {"resets", "int32"}, {"state", "string"}},
          .system_firmware_version = std::string(system_firmware_version(platform_)),
          .firmware_version = firmware_version_};
}

bool SimDevice::answers() const {
  return powered_ && mode_ == Mode::running && session_.connected() && parts_.segment.cloud_reachable() &&
         !orphaned_;
}

void SimDevice::after_returning(std::function<void()> action) {
  app_steps_.then(parts_.draw(timing_.action_delay), std::move(action));
}

int SimDevice::call_function(const std::string& name, const std::string& arg) {
  if (name == "ping") {
    app_log("probe: ping answered");
    return 1;
  }
  if (name == "reset") {
    app_log("probe: reset requested");
    after_returning([this] { reset({ResetReason::user, 0}); });
    return 0;
  }
  if (name == "sleep") {
    const auto request = parse_sleep(arg);
    if (!request) return -1;
    app_log(fmt::format("probe: sleeping {} for {} s", arg.substr(0, arg.find(',')),
                        std::chrono::duration_cast<seconds>(request->length).count()));
    app_state_ = "sleeping";
    after_returning([this, r = *request] { sleep(r.mode, r.length); });
    return 0;
  }
  if (name == "panic") {
    const auto code = parse_panic_code(arg);
    if (!code) return -1;
    app_log(fmt::format("probe: panic {} requested", *code));
    after_returning([this, c = *code] { panic(c); });
    return 0;
  }
  if (name == "led") return led_control(arg);
  return -1;
}

nlohmann::json SimDevice::read_variable(const std::string& name) {
  if (name == "uptime") {
    return std::chrono::duration_cast<seconds>(parts_.clock.now() - booted_at_).count();
  }
  if (name == "version") return firmware_version_;
  if (name == "resets") return resets_;
  if (name == "state") return app_state_;
  return nullptr;
}

// RGB control for LED calibration (`cyanrig led calibrate`): "rgb,R,G,B" shows that colour instead of
// the system's signals, "auto" gives the LED back.
int SimDevice::led_control(const std::string& arg) {
  if (arg == "auto") {
    led_.release();
    if (app_state_ == "rgb") app_state_ = app_connected_ ? "online" : "offline";
    return 0;
  }
  const auto colour = parse_led_colour(arg);
  if (!colour) return -1;
  if (app_state_ != "rgb") app_log("probe: RGB control mode");
  app_state_ = "rgb";
  led_.control("unknown", LedSignal::solid(*colour));
  return 0;
}

void SimDevice::begin_update(std::uintmax_t bytes, std::string version) {
  if (mode_ == Mode::running) update_.begin(bytes, std::move(version), fires(Fault::failed_ota));
}

}  // namespace cyanrig::sim
