// `cyanrig led calibrate DEVICE`: measures the dark and white references of a rack slot's LED sensor
// and stores them in the rack's calibration file (rig/led/calibration.hpp, docs/drivers.md).
//
// Dark: the device is switched off through its power backend (or, without one, the user unplugs it)
// and the sensor is averaged for a second. White: by default the device is switched back on and the
// white it shows while booting (dark ~1 s, then white ~1 s at default brightness: the brightest
// thing a device shows before its application runs) is taken from the brightest samples. `--step
// white` instead takes the white the LED shows now (an application holding it solid or breathing
// white), after the user says it is ready. The sensor is read raw, never through an older
// calibration.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "drivers/led/tcs34725/tcs34725_sensor.hpp"
#include "rig/clock.hpp"
#include "rig/led/calibration.hpp"
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
// Sensors deliver in batches (sim every 200 ms): the window's last samples arrive this much later.
constexpr Duration kBatchSlack = milliseconds(300);

struct CalibrateArgs {
  std::string device;
  std::string rack;
  std::string step = "both";
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
  if (args.step == "both" && bench.has_power()) {
    bench.set_power(PowerState::on);
    fmt::print("{}: power on; taking the white it shows while booting ({} s)\n", device.name,
               to_seconds(kWhiteWindow));
  } else {
    wait_for_user(args, fmt::format("Make {}'s LED show white (solid, or breathing white with the radio off)",
                                    device.name));
    fmt::print("{}: measuring white for {} s\n", device.name, to_seconds(kWhiteWindow));
  }
  const auto samples = bench.measure(kWhiteWindow);
  const ChannelLevels white = brightest_levels(samples);
  fmt::print("{}: white from the brightest of {} samples: {}\n", device.name, samples.size(),
             levels_text(white));
  return white;
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
    if (args.step != "white") {
      updated.dark = measure_dark(bench, device, args);
      updated.dark_at = utc_now();
    }
    if (args.step != "dark") {
      updated.white = measure_white(bench, device, args);
      updated.white_at = utc_now();
    }
    bench.restore_power();
  } catch (const Abort&) {
    bench.restore_power();
    throw;
  }
  if (updated.complete()) {
    if (auto problem = reference_problem(*updated.dark, *updated.white)) {
      throw Abort{kExitInfrastructure, fmt::format("{}: {}; {} not changed", device.name, *problem, file)};
    }
  }
  calibrations->entry(device.name) = updated;
  if (auto error = calibrations->save(file)) throw Abort{kExitInfrastructure, *error};
  fmt::print("{}: {} {}{}\n", device.name, args.step == "both" ? "calibration" : args.step + " reference",
             "saved in ", file);
  if (!updated.complete()) {
    fmt::print("{}: still needs its {} reference (--step {})\n", device.name, updated.dark ? "white" : "dark",
               updated.dark ? "white" : "dark");
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
      "Measure DEVICE's LED sensor dark (device switched off) and white (the white it shows while booting, "
      "or with --step white the white it shows now) and store them in the rack's calibration file");
  cmd->add_option("device", args->device, "Device name or ID in the rack")->required();
  cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  cmd->add_option("--step", args->step, "both (default), dark or white: measure only one reference")
      ->check(CLI::IsMember({"both", "dark", "white"}));
  cmd->add_option(
      "--file", args->file,
      "Calibration file (default: the sensor's `calibration`, else led-calibration.yaml next to the "
      "rack file)");
  cmd->add_flag("--yes", args->yes, "Do not wait for Enter before a step that needs the user");
  add_lock_wait_option(*cmd, args->lock_wait);
  commands.on(cmd, [args] { return cmd_led_calibrate(*args); });
}

}  // namespace cyanrig::cli
