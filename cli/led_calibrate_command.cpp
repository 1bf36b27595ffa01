// `cyanrig led calibrate DEVICE`: measures a rack slot's LED sensor and stores its calibration in the
// rack's calibration file (rig/led/calibration.hpp, docs/led.md "Calibration").
//
// Dark: the device is switched off through its power backend (or, without one, the user unplugs it)
// and the sensor is averaged for a second. Colour (the primaries and the colour correction made of
// them), by default from what the device shows while it boots and connects: it is switched back on
// and the sensor recorded until the decoder has seen breathing white, blinking green and blinking
// cyan (rig/led/boot_primaries.hpp). `--primaries probe` instead drives the LED die by die through
// the probe firmware's cloud function `led` ("rgb,255,0,0", ..., then "auto"). `--step white` takes
// only a white reference from whatever white the LED shows now, after the user says it is ready.
// The sensor is read raw, never through an older calibration.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/led/tcs34725/tcs34725_sensor.hpp"
#include "rig/capabilities/cloud.hpp"
#include "rig/clock.hpp"
#include "rig/led/boot_primaries.hpp"
#include "rig/led/calibration.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// After switching off: long enough for the LED to go dark as the supply's capacitors drain.
constexpr Duration kDarkSettle = seconds(1);
constexpr Duration kDarkWindow = seconds(1);
// Longer than a 4 s breath, and than a boot's dark second and white second.
constexpr Duration kWhiteWindow = seconds(5);
// A device reaches blinking cyan within seconds on Wi-Fi; a cellular one may take minutes.
constexpr Duration kBootLimit = std::chrono::minutes(10);
// Probe firmware: how long the LED is given to take a colour, and how long it is measured.
constexpr Duration kProbeSettle = milliseconds(500);
constexpr Duration kProbeWindow = seconds(1);
constexpr Duration kCallRetry = seconds(5);
// Sensors deliver in batches (sim every 200 ms): the window's last samples arrive this much later.
constexpr Duration kBatchSlack = milliseconds(300);

struct CalibrateArgs {
  std::string device;
  std::string rack;
  std::string step = "all";
  std::string primaries = "boot";
  std::string file;
  bool yes = false;
  Duration lock_wait{0};
};

// A failed step: what to print, and the exit code.
struct Abort {
  int code;
  std::string message;
};

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

std::string levels_text(const ChannelLevels& l) {
  std::string text = fmt::format("r {:.4g}, g {:.4g}, b {:.4g}", l.r, l.g, l.b);
  if (l.c >= 0) text += fmt::format(", clear {:.4g}", l.c);
  return text;
}

// The device's sensor and power switch on a clock of their own, and the samples seen so far.
class CalibrationBench {
 public:
  CalibrationBench(const Rack& rack, const RackDevice& device)
      : rack_(rack), device_(device), clock_(clock_for(rack)), context_(*clock_, rack, 1) {}

  ~CalibrationBench() {
    if (sensor_) sensor_->stop();
  }

  void start_sensor() {
    const BackendSite site{*device_.led, &device_};
    // Raw readings: an older calibration must not shape the new one.
    if (device_.led->backend == "tcs34725") {
      sensor_ = make_tcs34725_sensor(site, context_, CalibrationUse::ignore);
    } else if (device_.led->backend == "sim") {
      sensor_ = sim::make_sim_led_sensor(site, context_, CalibrationUse::ignore);
    } else {
      sensor_ = factory_of<ColourSensor>(*device_.led).create(site, context_);
    }
    sensor_->start(
        {.on_samples =
             [this](std::span<const RgbSample> s) { samples_.insert(samples_.end(), s.begin(), s.end()); },
         .on_fault =
             [this](HardwareFault f) {
               fault_ = std::move(f);
               clock_->stop();
             }});
  }

  bool has_power() const { return device_.power.has_value(); }

  // Calls `function` on the device through the rack's cloud; its return value. A device not yet
  // reachable (408: still booting or connecting) is asked again until `patience` has passed.
  int call(const std::string& function, const std::string& arg, Duration patience = Duration{0}) {
    if (!rack_.cloud) {
      throw Abort{kExitInvalid, fmt::format("rack '{}' has no cloud to call {} on", rack_.name, function)};
    }
    if (!cloud_) cloud_ = factory_of<Cloud>(*rack_.cloud).create({*rack_.cloud}, context_);
    const Instant deadline = clock_->now() + patience;
    for (;;) {
      std::optional<CloudReply> reply;
      cloud_->call_function(device_.id, function, arg, [&](CloudReply r) {
        reply = std::move(r);
        clock_->stop();
      });
      while (!reply && !fault_) clock_->run();
      check_fault();
      if (reply->ok()) return reply->body.value("return_value", 0);
      if (reply->error == CloudError::timed_out && clock_->now() < deadline) {
        run_for(kCallRetry);
        continue;
      }
      const std::string hint =
          reply->error == CloudError::not_found
              ? ": the device does not run the probe firmware (docs/led.md); use --primaries boot"
              : "";
      throw Abort{kExitInfrastructure, fmt::format("{}: {}(\"{}\"): {} {}{}", device_.name, function, arg,
                                                   reply->http_status, reply->message, hint)};
    }
  }

  // Runs until `done` says the samples so far are enough, or `limit` passes; the samples since then.
  std::vector<RgbSample> record_until(const std::function<bool(std::span<const RgbSample>)>& done,
                                      Duration limit) {
    const std::size_t first = samples_.size();
    const Instant deadline = clock_->now() + limit;
    while (clock_->now() < deadline) {
      run_for(kBatchSlack);
      if (done(std::span(samples_).subspan(first))) break;
    }
    return {samples_.begin() + static_cast<std::ptrdiff_t>(first), samples_.end()};
  }

  void set_power(PowerState state) {
    if (!power_)
      power_ = factory_of<PowerSwitch>(*device_.power).create({*device_.power, &device_}, context_);
    Status status;
    bool done = false;
    power_->set(state, [&](Status s) {
      status = std::move(s);
      done = true;
      clock_->stop();
    });
    while (!done && !fault_) clock_->run();
    check_fault();
    if (!status.ok())
      throw Abort{kExitInfrastructure,
                  fmt::format("{}: power {}: {}", device_.name, to_string(state), status.message())};
    powered_ = state;
  }

  // Leaves the device as every run leaves it: at the rack's safe power state.
  void restore_power() {
    if (!power_ || powered_ == rack_.safe_power) return;
    set_power(rack_.safe_power);
    fmt::print("{}: power {} (the rack's safe state)\n", device_.name, to_string(rack_.safe_power));
  }

  // Runs for `length` and returns the samples taken in it.
  std::vector<RgbSample> measure(Duration length) {
    const Instant from = clock_->now();
    run_for(length + kBatchSlack);
    std::vector<RgbSample> out;
    std::copy_if(samples_.begin(), samples_.end(), std::back_inserter(out),
                 [&](const RgbSample& s) { return s.t >= from && s.t < from + length; });
    if (out.empty()) {
      throw Abort{kExitInfrastructure, fmt::format("{}: no samples from {} in {} s", device_.name,
                                                   sensor_->describe(), to_seconds(length))};
    }
    return out;
  }

  void run_for(Duration length) {
    const Timer stop = clock_->after(length, [this] { clock_->stop(); });
    while (stop.scheduled() && !fault_) clock_->run();
    check_fault();
  }

 private:
  template <typename Capability>
  const BackendFactory<Capability>& factory_of(const BackendSpec& spec) {
    const auto* factory = backends().find<Capability>(spec.backend);
    if (factory == nullptr)
      throw Abort{kExitInvalid, fmt::format("no backend '{}' in this build", spec.backend)};
    return *factory;
  }

  void check_fault() {
    if (fault_) throw Abort{kExitInfrastructure, fmt::format("{}: {}", device_.name, fault_->message)};
  }

  const Rack& rack_;
  const RackDevice& device_;
  std::unique_ptr<Clock> clock_;
  BackendContext context_;
  std::unique_ptr<PowerSwitch> power_;
  std::unique_ptr<Cloud> cloud_;
  std::unique_ptr<ColourSensor> sensor_;
  std::optional<PowerState> powered_;
  std::vector<RgbSample> samples_;
  std::optional<HardwareFault> fault_;
};

void wait_for_user(const CalibrateArgs& args, const std::string& what) {
  if (args.yes) {
    fmt::print("{}\n", what);
    return;
  }
  fmt::print("{}, then press Enter ", what);
  std::fflush(stdout);
  std::string ignored;
  std::getline(std::cin, ignored);
}

ChannelLevels measure_dark(CalibrationBench& bench, const RackDevice& device, const CalibrateArgs& args) {
  if (bench.has_power()) {
    bench.set_power(PowerState::off);
    fmt::print("{}: power off; measuring dark for {} s\n", device.name,
               to_seconds(kDarkSettle + kDarkWindow));
    bench.run_for(kDarkSettle);
  } else {
    wait_for_user(args,
                  fmt::format("{} has no power backend: unplug it so that its LED is dark", device.name));
  }
  const auto samples = bench.measure(kDarkWindow);
  const ChannelLevels dark = mean_levels(samples);
  fmt::print("{}: dark from {} samples: {}\n", device.name, samples.size(), levels_text(dark));
  return dark;
}

ChannelLevels measure_white(CalibrationBench& bench, const RackDevice& device, const CalibrateArgs& args) {
  wait_for_user(args, fmt::format("Make {}'s LED show white (solid, or breathing white with the radio off)",
                                  device.name));
  fmt::print("{}: measuring white for {} s\n", device.name, to_seconds(kWhiteWindow));
  const auto samples = bench.measure(kWhiteWindow);
  const ChannelLevels white = brightest_levels(samples);
  fmt::print("{}: white from the brightest of {} samples: {}\n", device.name, samples.size(),
             levels_text(white));
  return white;
}

// Breathing white, blinking green and blinking cyan: what learn_primaries_from_boot needs.
bool boot_shown(const std::vector<LedStateChange>& states) {
  auto seen = [&](std::initializer_list<std::string_view> names) {
    return std::any_of(states.begin(), states.end(), [&](const LedStateChange& s) {
      return std::find(names.begin(), names.end(), s.state) != names.end();
    });
  };
  return seen({"breathing_white"}) && seen({"blinking_green", "fast_blinking_green"}) &&
         seen({"blinking_cyan", "fast_blinking_cyan"});
}

LearnedPrimaries learn_from_boot(CalibrationBench& bench, const RackDevice& device, const CalibrateArgs& args,
                                 const ChannelLevels& dark) {
  if (bench.has_power()) {
    bench.set_power(PowerState::off);
    bench.run_for(kDarkSettle);
    bench.set_power(PowerState::on);
    fmt::print("{}: power on; learning its LED's colours while it boots and connects\n", device.name);
  } else {
    wait_for_user(args, fmt::format("Power {} on (it must boot and connect)", device.name));
  }
  LedDecoder decoder;
  std::vector<LedStateChange> states;
  std::size_t fed = 0;
  const auto samples = bench.record_until(
      [&](std::span<const RgbSample> so_far) {
        for (auto& s : decoder.feed(so_far.subspan(fed))) states.push_back(std::move(s));
        fed = so_far.size();
        // A cyan blink's first lit phases are what is measured: a second more of them.
        return boot_shown(states) && so_far.back().t - states.back().start > seconds(1);
      },
      kBootLimit);
  for (auto& s : decoder.finish()) states.push_back(std::move(s));
  auto learned = learn_primaries_from_boot(samples, states, dark);
  if (const auto* problem = std::get_if<std::string>(&learned)) {
    throw Abort{kExitInfrastructure, fmt::format("{}: {} (the LED showed", device.name, *problem) + [&] {
                  std::string text;
                  for (const LedStateChange& s : states) text += " " + s.state;
                  return text.empty() ? std::string(" nothing") : text;
                }() + ")"};
  }
  return std::get<LearnedPrimaries>(learned);
}

// The probe firmware's RGB control: each die alone, then white, then the LED back to the system.
LearnedPrimaries probe_primaries(CalibrationBench& bench, const RackDevice& device) {
  if (bench.has_power()) bench.set_power(PowerState::on);
  fmt::print("{}: driving its LED through the probe firmware's `led` function\n", device.name);
  // The first call waits for the device to come online.
  Duration patience = kBootLimit;
  auto show = [&](const char* arg) {
    bench.call("led", arg, std::exchange(patience, Duration{0}));
    bench.run_for(kProbeSettle);
    const ChannelLevels levels = mean_levels(bench.measure(kProbeWindow));
    fmt::print("{}: {}: {}\n", device.name, arg, levels_text(levels));
    return levels;
  };
  LearnedPrimaries out;
  out.primaries.red = show("rgb,255,0,0");
  out.primaries.green = show("rgb,0,255,0");
  out.primaries.blue = show("rgb,0,0,255");
  out.white = show("rgb,255,255,255");
  bench.call("led", "auto");
  return out;
}

void measure_colour(CalibrationBench& bench, const RackDevice& device, const CalibrateArgs& args,
                    LedCalibration& cal) {
  if (!cal.dark) {
    throw Abort{
        kExitInvalid,
        fmt::format("{}: the colour correction needs the dark reference first (--step dark)", device.name)};
  }
  const LearnedPrimaries learned = args.primaries == "probe"
                                       ? probe_primaries(bench, device)
                                       : learn_from_boot(bench, device, args, *cal.dark);
  auto correction = colour_correction(*cal.dark, learned.primaries);
  if (const auto* problem = std::get_if<std::string>(&correction)) {
    throw Abort{kExitInfrastructure, fmt::format("{}: {}", device.name, *problem)};
  }
  cal.primaries = learned.primaries;
  cal.primaries_from = args.primaries;
  cal.correction = std::get<ChannelMatrix>(correction);
  cal.white = learned.white;
  cal.primaries_at = cal.white_at = utc_now();
  fmt::print("{}: red {}; green {}; blue {}\n", device.name, levels_text(cal.primaries->red),
             levels_text(cal.primaries->green), levels_text(cal.primaries->blue));
}

void calibrate(const Rack& rack, const RackDevice& device, const CalibrateArgs& args,
               const std::string& file) {
  Diagnostics diags;
  auto calibrations = LedCalibrations::load(file, diags);
  if (!calibrations) {
    std::string text;
    for (const Diagnostic& d : diags.items()) text += (text.empty() ? "" : "\n") + d.to_string();
    throw Abort{kExitInvalid, text};
  }
  LedCalibration updated = calibrations->entry(device.name);
  CalibrationBench bench(rack, device);
  bench.start_sensor();
  try {
    if (args.step == "all" || args.step == "dark") {
      updated.dark = measure_dark(bench, device, args);
      updated.dark_at = utc_now();
    }
    if (args.step == "all" || args.step == "colour") measure_colour(bench, device, args, updated);
    if (args.step == "white") {
      updated.white = measure_white(bench, device, args);
      updated.white_at = utc_now();
    }
    bench.restore_power();
  } catch (const Abort&) {
    bench.restore_power();
    throw;
  }
  if (updated.dark && updated.white && !updated.correction) {
    if (auto problem = reference_problem(*updated.dark, *updated.white)) {
      throw Abort{kExitInfrastructure, fmt::format("{}: {}; {} not changed", device.name, *problem, file)};
    }
  }
  calibrations->entry(device.name) = updated;
  if (auto error = calibrations->save(file)) throw Abort{kExitInfrastructure, *error};
  fmt::print("{}: {} saved in {}\n", device.name,
             args.step == "all" ? "calibration" : args.step + " reference", file);
  if (!updated.complete()) {
    fmt::print("{}: still needs its {} (--step {})\n", device.name,
               updated.dark ? "colour" : "dark reference", updated.dark ? "colour" : "dark");
  }
}

int cmd_led_calibrate(const CalibrateArgs& args) {
  const auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const RackDevice* device = rack->find_device(args.device);
  if (device == nullptr) {
    fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({})\n", args.device, rack->name, rack->file);
    return kExitInvalid;
  }
  if (!device->led) {
    fmt::print(stderr, "cyanrig: {} has no led sensor in rack '{}' ({})\n", device->name, rack->name,
               rack->file);
    return kExitInvalid;
  }
  const auto lock = lock_rack(*rack, {.command = "led calibrate " + device->name, .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  try {
    calibrate(*rack, *device, args, args.file.empty() ? led_calibration_file(*rack, *device) : args.file);
  } catch (const Abort& abort) {
    fmt::print(stderr, "cyanrig: {}\n", abort.message);
    return abort.code;
  } catch (const std::runtime_error& e) {  // a backend that could not be built
    fmt::print(stderr, "cyanrig: {}: {}\n", device->name, e.what());
    return kExitInfrastructure;
  }
  return 0;
}

}  // namespace

void add_led_calibrate_command(CLI::App& led, Subcommands& commands) {
  auto args = std::make_shared<CalibrateArgs>();
  auto* cmd = led.add_subcommand(
      "calibrate",
      "Measure DEVICE's LED sensor dark (device switched off) and its LED's colours (learned while it boots "
      "and "
      "connects, or driven die by die with --primaries probe) and store the colour correction in the rack's "
      "calibration file");
  cmd->add_option("device", args->device, "Device name or ID in the rack")->required();
  cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  cmd->add_option("--step", args->step,
                  "all (default), dark, colour (needs dark first), or white (the white the LED shows now)")
      ->check(CLI::IsMember({"all", "dark", "colour", "white"}));
  cmd->add_option(
         "--primaries", args->primaries,
         "boot (default: learned while the device boots and connects) or probe (the probe firmware's "
         "`led` function drives each die)")
      ->check(CLI::IsMember({"boot", "probe"}));
  cmd->add_option(
      "--file", args->file,
      "Calibration file (default: the sensor's `calibration`, else led-calibration.yaml next to the "
      "rack file)");
  cmd->add_flag("--yes", args->yes, "Do not wait for Enter before a step that needs the user");
  add_lock_wait_option(*cmd, args->lock_wait);
  commands.on(cmd, [args] { return cmd_led_calibrate(*args); });
}

}  // namespace cyanrig::cli
