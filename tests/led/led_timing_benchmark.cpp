// LED and serial timestamps against the simulator's ground truth (issue 13 item 9; docs/benchmarks.md,
// "LED and serial timing"): the built-in rack's eight simulated devices boot, connect, lose the cloud
// in outages of 40 s to 3 min and come back, and are power-cycled, for two hours of virtual time. Each
// device's status LED is read by its sim colour sensor (the realistic optics, noise, jitter, lost
// samples) at 50, 100 and 200 Hz and decoded by LedDecoder; its USB serial is framed by LineFramer.
// No engine is involved: this times the decoder and the framer themselves.
//
// Ground truth: the simulated LED tells when each pattern really began (StatusLed::watch); `off` is
// dated where the LED last emitted light (dark begins inside the pattern before, and no sensor can
// see later than that). The USB port tells when each log line was written (UsbSerial::watch_writes).
// Each truth is matched to the decoded state of the same name whose start is nearest (within 1.5 s);
// error = decoded start - true start. Targets: >= 99% of LED starts within +-25 ms and a mean error
// within +-5 ms; every serial line within +-5 ms. Exits 1 when a target is missed. `--quick`: 20
// minutes of virtual time (the ctest check).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "drivers/all_backends.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/clock.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/serial/line_framer.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Duration kLedWithin = milliseconds(25);
constexpr Duration kSerialWithin = milliseconds(5);
constexpr double kLedShareTarget = 0.99;
constexpr Duration kLedBiasTarget = milliseconds(5);
constexpr Duration kMatchReach = milliseconds(1500);
// A pattern shown for less than this is not a state anything waits for, and no decoder names it (a
// 5 Hz blink needs a period and more): blinking cyan for 30-120 ms between breathing and fast
// blinking cyan as a device reconnects. Counted apart.
constexpr Duration kBriefest = milliseconds(300);

struct Options {
  bool quick = false;
  Duration length = std::chrono::hours(2);
  std::uint64_t seed = 1;
  int show_worst = 10;
  // --show DEVICE FROM_S TO_S: that device's true and decoded LED states over that window (and its
  // readings, with SHOW_SAMPLES set).
  std::string show_device;
  double show_from_s = 0, show_to_s = 0;
};

// One truth and what the rig made of it.
struct Sample {
  std::string device;
  std::string what;  // LED state name, or "serial"
  Instant truth;
  Duration error{0};
  std::string before;  // the LED state before it
};

struct TruthLed {
  Instant t;
  std::string state;
};

// A device as the bench sees it: its backends, its decoder and framer, and the truth.
struct Watched {
  const RackDevice* device = nullptr;
  std::unique_ptr<PowerSwitch> power;
  std::unique_ptr<SerialPort> serial;
  std::unique_ptr<ColourSensor> sensor;
  LedDecoder decoder;
  LineFramer framer;
  std::vector<LedStateChange> states;
  std::vector<TruthLed> led_truth;
  std::deque<std::pair<Instant, std::string>> written;  // lines written, not yet framed
  std::vector<Sample> serial_samples;
  int serial_unmatched = 0;
  std::vector<RgbSample> readings;  // kept for --show with SHOW_SAMPLES set
};

template <typename Capability>
std::unique_ptr<Capability> build(const BackendSite& site, BackendContext& ctx) {
  return all_backends().find<Capability>(site.spec.backend)->create(site, ctx);
}

std::string without_line_ending(std::string_view bytes) {
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == '\r')) bytes.remove_suffix(1);
  return std::string(bytes);
}

// When the LED last emitted light before `t` (1 ms resolution, up to a second back): where `off` is
// seen to begin.
Instant went_dark(const sim::StatusLed& led, Instant t) {
  auto lit = [&](Instant at) {
    const Rgb e = led.emitted(at);
    return e.r > 0 || e.g > 0 || e.b > 0;
  };
  Instant at = t;
  while (at > t - seconds(1) && !lit(at - milliseconds(1))) at -= milliseconds(1);
  return at;
}

class TimingRun {
 public:
  TimingRun(double rate_hz, const Options& options)
      : clock_(make_virtual_clock()), rack_(builtin_sim_rack()) {
    for (RackDevice& d : rack_.devices) {
      d.led =
          BackendSpec{"sim", YAML::Load(fmt::format("{{backend: sim, rate_hz: {}}}", rate_hz)), d.led->loc};
    }
    context_ = std::make_unique<BackendContext>(*clock_, rack_, options.seed);
    for (const Segment& s : rack_.segments) {
      outages_[s.name] = build<OutageSwitch>({s.outages.front(), nullptr, &s}, *context_);
    }
    world_ = sim::SimWorld::of(*context_);
    for (const RackDevice& d : rack_.devices) watch(d);
    random_.seed(options.seed);
    keep_device_ = options.show_device;
    keep_readings_ = !keep_device_.empty() && std::getenv("SHOW_SAMPLES") != nullptr;
  }

  void run(Duration length) {
    std::vector<Timer> timers;
    Instant at = run_start() + seconds(2);
    for (auto& w : devices_) {
      timers.push_back(clock_->at(at, [&w] { w->power->set(PowerState::on, [](Status) {}); }));
      at += milliseconds(700);
    }
    // Outages on every segment every 8 minutes, 40 s to 3 min long; every 25 minutes each device is
    // power-cycled (off for 5 s) in turn.
    for (Instant t = run_start() + minutes(3); t < run_start() + length; t += minutes(8)) {
      for (auto& [name, outage] : outages_) {
        const Duration lasts = seconds(std::uniform_int_distribution<int>(40, 180)(random_));
        OutageSwitch* o = outage.get();
        timers.push_back(clock_->at(t, [o] {
          o->start({OutageMode::cloud, OutageAction::drop}, [](Status) {});
        }));
        timers.push_back(clock_->at(t + lasts, [o] { o->stop([](Status) {}); }));
      }
    }
    for (Instant t = run_start() + minutes(20); t < run_start() + length; t += minutes(25)) {
      Instant off = t;
      for (auto& w : devices_) {
        PowerSwitch* p = w->power.get();
        timers.push_back(clock_->at(off, [p] { p->set(PowerState::off, [](Status) {}); }));
        timers.push_back(clock_->at(off + seconds(5), [p] { p->set(PowerState::on, [](Status) {}); }));
        off += seconds(13);
      }
    }
    const Timer end = clock_->at(run_start() + length, [this] { clock_->stop(); });
    clock_->run();
    for (auto& w : devices_) {
      w->sensor->stop();
      for (auto& s : w->decoder.finish()) w->states.push_back(std::move(s));
    }
  }

  // LED samples: every truth matched to a decoded state of its name.
  std::vector<Sample> led_samples(std::vector<Sample>& unmatched, int& brief) const {
    std::vector<Sample> out;
    for (const auto& w : devices_) {
      std::vector<bool> used(w->states.size(), false);
      for (std::size_t i = 0; i < w->led_truth.size(); ++i) {
        const TruthLed& truth = w->led_truth[i];
        // Two changes at one instant: only the last was ever visible.
        const Instant next = i + 1 < w->led_truth.size() ? w->led_truth[i + 1].t : Instant::max();
        if (next == truth.t) continue;
        if (next - truth.t < kBriefest) {
          ++brief;
          continue;
        }
        std::optional<std::size_t> best;
        for (std::size_t k = 0; k < w->states.size(); ++k) {
          const Duration d = w->states[k].start - truth.t;
          if (used[k] || w->states[k].state != truth.state || d > kMatchReach || d < -kMatchReach) continue;
          if (!best || std::abs((w->states[k].start - truth.t).count()) <
                           std::abs((w->states[*best].start - truth.t).count())) {
            best = k;
          }
        }
        const std::string before = i > 0 ? w->led_truth[i - 1].state : "";
        if (!best) {
          unmatched.push_back({w->device->name, truth.state, truth.t, Duration{0}, before});
          continue;
        }
        used[*best] = true;
        out.push_back({w->device->name, truth.state, truth.t, w->states[*best].start - truth.t, before});
      }
    }
    return out;
  }

  std::vector<Sample> serial_samples(int& unmatched) const {
    std::vector<Sample> out;
    for (const auto& w : devices_) {
      out.insert(out.end(), w->serial_samples.begin(), w->serial_samples.end());
      unmatched += w->serial_unmatched;
    }
    return out;
  }

  std::size_t led_readings() const { return led_readings_; }

  void show(const std::string& device, Instant from, Instant to) const {
    for (const auto& w : devices_) {
      if (w->device->name != device) continue;
      fmt::print("  {} truth (ms):", device);
      for (const TruthLed& t : w->led_truth) {
        if (t.t >= from && t.t <= to) fmt::print(" {}@{:.0f}", t.state, ms_since_start(t.t));
      }
      fmt::print("\n  {} decoded (start/recognised ms):", device);
      for (const LedStateChange& s : w->states) {
        if (s.start >= from && s.start <= to) {
          fmt::print(" {}@{:.0f}/{:.0f}", s.state, ms_since_start(s.start), ms_since_start(s.recognised));
        }
      }
      fmt::print("\n");
      if (!keep_readings_) continue;
      fmt::print("  {} readings (ms:r,g,b):", device);
      for (const RgbSample& s : w->readings) {
        if (s.t >= from && s.t <= to)
          fmt::print(" {:.0f}:{:.3f},{:.3f},{:.3f}", ms_since_start(s.t), s.r, s.g, s.b);
      }
      fmt::print("\n");
    }
  }

 private:
  void watch(const RackDevice& d) {
    auto w = std::make_unique<Watched>();
    Watched& me = *w;
    me.device = &d;
    me.power = build<PowerSwitch>({*d.power, &d}, *context_);
    me.serial = build<SerialPort>({*d.serial, &d}, *context_);
    me.sensor = build<ColourSensor>({*d.led, &d}, *context_);
    sim::SimDevice& device = *world_->find_device(d.name);
    sim::StatusLed& led = device.led();
    led.watch([&me, &led](Instant t, std::string_view name, const sim::LedSignal&) {
      me.led_truth.push_back({name == "off" ? went_dark(led, t) : t, std::string(name)});
    });
    device.usb().watch_writes(
        [&me](Instant t, std::string_view bytes) { me.written.emplace_back(t, without_line_ending(bytes)); });
    me.serial->open({.on_bytes = [&me](Instant arrival,
                                       std::string_view bytes) { frame(me, me.framer.feed(arrival, bytes)); },
                     .on_link =
                         [&me](bool, const std::string&) {
                           if (auto rest = me.framer.flush()) frame(me, {*rest});
                         }});
    me.sensor->start({.on_samples =
                          [this, &me](std::span<const RgbSample> samples) {
                            led_readings_ += samples.size();
                            if (keep_readings_ && me.device->name == keep_device_) {
                              me.readings.insert(me.readings.end(), samples.begin(), samples.end());
                            }
                            for (auto& s : me.decoder.feed(samples)) me.states.push_back(std::move(s));
                          },
                      .on_fault = [](HardwareFault) {}});
    devices_.push_back(std::move(w));
  }

  // Each framed line against the oldest written line of the same text (the ones before it never
  // arrived: written as the port went away).
  static void frame(Watched& me, const std::vector<SerialLine>& lines) {
    for (const SerialLine& line : lines) {
      while (!me.written.empty() && me.written.front().second != line.text) {
        me.written.pop_front();
        ++me.serial_unmatched;
      }
      if (me.written.empty()) continue;
      me.serial_samples.push_back(
          {me.device->name, "serial", me.written.front().first, line.t - me.written.front().first});
      me.written.pop_front();
    }
  }

  std::unique_ptr<Clock> clock_;
  Rack rack_;
  std::unique_ptr<BackendContext> context_;
  std::shared_ptr<sim::SimWorld> world_;
  std::map<std::string, std::unique_ptr<OutageSwitch>> outages_;
  std::vector<std::unique_ptr<Watched>> devices_;
  std::mt19937_64 random_;
  std::size_t led_readings_ = 0;
  // --show with SHOW_SAMPLES set: that device's readings are kept.
  bool keep_readings_ = false;
  std::string keep_device_;
};

struct Stats {
  std::size_t n = 0;
  double within = 0;  // share within the bound
  double mean_ms = 0, p1_ms = 0, p99_ms = 0, worst_ms = 0;
};

Stats stats_of(std::vector<Sample> samples, Duration bound) {
  Stats s;
  s.n = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end(),
            [](const Sample& a, const Sample& b) { return a.error < b.error; });
  double sum = 0;
  std::size_t in = 0;
  for (const Sample& x : samples) {
    sum += to_ms(x.error);
    if (x.error <= bound && x.error >= -bound) ++in;
  }
  s.within = static_cast<double>(in) / static_cast<double>(s.n);
  s.mean_ms = sum / static_cast<double>(s.n);
  s.p1_ms = to_ms(samples[s.n / 100].error);
  s.p99_ms = to_ms(samples[std::min(s.n - 1, s.n * 99 / 100)].error);
  s.worst_ms = std::max(std::abs(to_ms(samples.front().error)), std::abs(to_ms(samples.back().error)));
  return s;
}

std::string row(std::string_view what, const Stats& s, Duration bound) {
  return fmt::format("  {:<22} {:>6} {:>8.2f}% {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f}   (within +-{:.0f} ms)",
                     what, s.n, 100 * s.within, s.mean_ms, s.p1_ms, s.p99_ms, s.worst_ms, to_ms(bound));
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--quick") {
      o.quick = true;
      o.length = minutes(20);
    } else if (arg == "--minutes" && i + 1 < argc) {
      o.length = minutes(std::max(1, std::atoi(argv[++i])));
    } else if (arg == "--seed" && i + 1 < argc) {
      o.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--worst" && i + 1 < argc) {
      o.show_worst = std::atoi(argv[++i]);
    } else if (arg == "--show" && i + 3 < argc) {
      o.show_device = argv[++i];
      o.show_from_s = std::atof(argv[++i]);
      o.show_to_s = std::atof(argv[++i]);
    } else {
      fmt::print(stderr,
                 "usage: led_timing_benchmark [--quick] [--minutes N] [--seed N] [--worst N]\n"
                 "                            [--show DEVICE FROM_S TO_S]\n");
      std::exit(2);
    }
  }
  return o;
}

int run(const Options& options) {
  bool pass = true;
  std::vector<std::string> summary;
  for (const double rate : {50.0, 100.0, 200.0}) {
    TimingRun bench(rate, options);
    bench.run(options.length);
    std::vector<Sample> led_unmatched;
    int brief = 0, serial_unmatched = 0;
    const std::vector<Sample> led = bench.led_samples(led_unmatched, brief);
    const std::vector<Sample> serial = bench.serial_samples(serial_unmatched);
    const Stats led_stats = stats_of(led, kLedWithin);
    const Stats serial_stats = stats_of(serial, kSerialWithin);
    if (!options.show_device.empty()) {
      const auto at = [](double s) {
        return run_start() + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
      };
      fmt::print("\n{:.0f} Hz:\n", rate);
      bench.show(options.show_device, at(options.show_from_s), at(options.show_to_s));
    }
    const bool led_pass = led_stats.n > 0 && led_stats.within >= kLedShareTarget &&
                          std::abs(led_stats.mean_ms) <= to_ms(kLedBiasTarget);
    const bool serial_pass = serial_stats.n > 0 && serial_stats.within == 1.0;
    pass = pass && led_pass && serial_pass;

    fmt::print(
        "\n{:.0f} Hz: {} devices, {:.0f} min of virtual time, {} LED readings, {} LED starts ({} not "
        "matched, {} shown under 300 ms), {} serial lines ({} lost as a port went away)\n",
        rate, 8, to_seconds(options.length) / 60, bench.led_readings(), led.size(), led_unmatched.size(),
        brief, serial.size(), serial_unmatched);
    fmt::print("  {:<22} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8}   (error = decoded - true, ms)\n", "", "n",
               "within", "mean", "p1", "p99", "worst");
    fmt::print("{}\n", row("LED, every state", led_stats, kLedWithin));
    std::map<std::string, std::vector<Sample>> by_state;
    for (const Sample& s : led) by_state[s.what].push_back(s);
    for (const auto& [state, samples] : by_state)
      fmt::print("{}\n", row("  " + state, stats_of(samples, kLedWithin), kLedWithin));
    fmt::print("{}\n", row("serial lines", serial_stats, kSerialWithin));
    std::vector<Sample> worst = led;
    std::sort(worst.begin(), worst.end(), [](const Sample& a, const Sample& b) {
      return std::abs(a.error.count()) > std::abs(b.error.count());
    });
    for (int i = 0; i < std::min<int>(options.show_worst, static_cast<int>(worst.size())); ++i) {
      const Sample& s = worst[static_cast<std::size_t>(i)];
      if (s.error <= kLedWithin && s.error >= -kLedWithin) break;
      fmt::print("    {} {} (after {}) at {:.3f} s: {:+.0f} ms\n", s.device, s.what, s.before,
                 ms_since_start(s.truth) / 1000, to_ms(s.error));
    }
    std::map<std::string, int> missing;
    for (const Sample& s : led_unmatched) ++missing[s.what + " after " + s.before];
    if (!missing.empty()) {
      std::string text;
      for (const auto& [what, n] : missing) text += fmt::format(" {} x{};", what, n);
      fmt::print("  not matched (nothing of that name decoded within 1.5 s):{}\n", text);
    }
    summary.push_back(fmt::format("{:>6.0f} {:>8} {:>9.2f}% {:>8.1f} {:>8.1f} {:>9} {:>9.2f}% {:>8.1f}  {}",
                                  rate, led_stats.n, 100 * led_stats.within, led_stats.mean_ms,
                                  led_stats.worst_ms, serial_stats.n, 100 * serial_stats.within,
                                  serial_stats.worst_ms, led_pass && serial_pass ? "pass" : "FAIL"));
  }
  fmt::print(
      "\nTargets: >= 99% of LED starts within +-25 ms and |mean| <= 5 ms; every serial line within +-5 "
      "ms.\n\n");
  fmt::print("{:>6} {:>8} {:>10} {:>8} {:>8} {:>9} {:>10} {:>8}\n", "rate", "LED n", "+-25 ms", "mean",
             "worst", "serial n", "+-5 ms", "worst");
  for (const std::string& line : summary) fmt::print("{}\n", line);
  fmt::print("\n{}\n", pass ? "PASS: every target met" : "FAIL: a target was missed");
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace cyanrig::test

int main(int argc, char** argv) {
  return cyanrig::test::run(cyanrig::test::parse(argc, argv));
}
