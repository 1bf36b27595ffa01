#include "rig/engine/engine.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <cmath>
#include <csignal>
#include <ctime>
#include <fstream>
#include <set>

#include "rig/clock.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/core/overloaded.hpp"
#include "rig/devos/log_parser.hpp"
#include "rig/engine/timeline_query.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/rounding.hpp"
#include "rig/results/serial_log.hpp"
#include "rig/results/writers.hpp"
#include "rig/serial/line_framer.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// How long a backend may take to answer a power or outage request before the lab is to blame.
constexpr Duration kBackendAnswerTimeout = 30s;

// Calls `done` once every one of `count` parts has reported, with the first fault seen.
class Join {
 public:
  Join(std::size_t count, std::function<void()> done) : remaining_(count), done_(std::move(done)) {
    if (remaining_ == 0) done_();
  }
  void arrive() {
    if (remaining_ > 0 && --remaining_ == 0) done_();
  }

 private:
  std::size_t remaining_;
  std::function<void()> done_;
};

// Everything the run keeps for one rack device: its backends and what turns their output into events.
struct DeviceSlot {
  const RackDevice* device = nullptr;
  bool selected = false;
  std::unique_ptr<PowerSwitch> power;
  std::unique_ptr<SerialPort> serial;
  std::unique_ptr<ColourSensor> led;
  LineFramer framer;
  Timer idle_flush;
  LedDecoder decoder;
  std::optional<Instant> last_off;       // when the supply was last switched off
  Timer delayed_on;                      // a power-on waiting for min_off or on_spacing
  std::optional<Failure> setup_failure;  // a backend could not be built: every case fails with it
};

// One of a segment's outage backends.
struct OutageBackendSlot {
  const BackendSpec* spec = nullptr;
  std::unique_ptr<OutageSwitch> outage;
  std::vector<OutageMode> modes;  // what it performs (BackendFactory::modes)
  std::optional<std::string> setup_failure;
  bool started = false;  // an outage was started on it this run (so it must be lifted)

  bool performs(OutageMode mode) const { return std::find(modes.begin(), modes.end(), mode) != modes.end(); }
};

struct SegmentSlot {
  const Segment* segment = nullptr;
  std::vector<OutageBackendSlot> backends;
  OutageBackendSlot* in_force = nullptr;  // the backend holding the outage now
  // Until the outage in force shows its effect: who has shown it, and the deadline for the first.
  bool effective = false;
  bool effect_missed = false;       // the deadline passed without evidence
  std::set<std::string> confirmed;  // devices with evidence ("" = the whole segment)
  Timer effect_deadline;
};

// Device OS events that say a device lost the cloud or the network: evidence an outage bites.
bool reports_loss(const Event& e) {
  static const std::set<std::string, std::less<>> kLoss = {
      "cloud_socket_failed",  "cloud_handshake_failed", "cloud_disconnected", "cloud_error",
      "internet_test_failed", "cloud_unreachable",      "dns_failed",         "network_link_down"};
  switch (e.kind) {
    case EventKind::devos:
      return kLoss.count(e.name) != 0;
    case EventKind::led:
      return e.name == "cloud_error";
    case EventKind::cloud:
      return e.name == "spark/status" && e.data.is_object() && e.data.value("status", "") == "offline";
    default:
      return false;
  }
}

// One device going through the steps of one repeat.
struct Flow {
  DeviceSlot* slot = nullptr;
  CaseResult* result = nullptr;
  std::size_t step = 0;
  bool done = false;
  bool at_barrier = false;
  std::map<std::string, Instant> marks;
  Instant step_started;
  // The wait in progress: its timers and timeline listener go when the step ends.
  std::vector<Timer> timers;
  std::optional<Timeline::ListenerId> listener;
  std::uint64_t generation = 0;  // bumps when a step ends, so late backend answers are ignored
};

class Run {
 public:
  Run(const Scenario& scenario, const Rack& rack, const RunOptions& options)
      : scenario_(scenario),
        rack_(rack),
        options_(options),
        registry_(options.registry != nullptr ? *options.registry : BackendRegistry::builtin()),
        clock_(rack_is_simulated(rack, registry_) ? make_virtual_clock() : make_steady_clock()),
        timeline_(*clock_),
        context_(*clock_, rack, options.seed),
        signals_(clock_->io()) {
    for (const EventPattern& p : rack.patterns) parser_.add_pattern(p.regex, p.event);
    for (const EventPattern& p : scenario.patterns) parser_.add_pattern(p.regex, p.event);
  }

  RunReport execute() {
    const auto wall_start = std::chrono::steady_clock::now();
    result_.scenario = scenario_.name;
    result_.scenario_file = scenario_.file;
    result_.rack = rack_.name;
    result_.rack_file = rack_.file;
    result_.seed = options_.seed;
    result_.simulated = clock_->is_virtual();
    result_.started_utc = utc_iso(std::chrono::system_clock::now());
    result_.repeats = scenario_.repeat;
    open_results();
    if (options_.observe) options_.observe(timeline_, scenario_);
    if (options_.handle_signals) watch_signals();
    clock_->post([this] { start(); });
    run_loop_guarded();
    if (!finishing_) {
      // Every wait has a deadline, so the loop only runs dry through a bug; still end safely.
      abort_run(FailureClass::infrastructure, "internal_error", "internal error: the run stalled");
      run_loop_guarded();
    }
    // A run that ended by exception or signal has already lifted outages and set safe power.
    signals_.cancel();
    result_.rig_seconds = to_seconds(clock_->now().time_since_epoch());
    result_.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    compute_measurements();
    write_results();
    return {std::move(result_), results_dir_};
  }

 private:
  // ---- set-up -----------------------------------------------------------------------------------

  void open_results() {
    if (options_.results_root.empty()) return;
    results_dir_ = make_results_dir(options_.results_root, utc_compact(std::chrono::system_clock::now()),
                                    scenario_.name);
    // Streamed as the run goes, so a crash loses nothing already seen.
    events_file_.open(results_dir_ / "events.jsonl");
    timeline_.subscribe([this](const Event& e) { write_event_jsonl(e, events_file_); });
    serial_logs_.emplace(timeline_, results_dir_);
  }

  void watch_signals() {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      abort_run(FailureClass::infrastructure, "interrupted",
                fmt::format("interrupted by {}: outages lifted and power set to the rack's safe state",
                            signal == SIGINT ? "SIGINT" : "SIGTERM"));
    });
  }

  void run_loop_guarded() {
    try {
      clock_->run();
    } catch (const std::exception& e) {
      spdlog::error("run aborted by an internal error: {}", e.what());
      abort_run(FailureClass::infrastructure, "internal_error", fmt::format("internal error: {}", e.what()));
      try {
        clock_->run();
      } catch (const std::exception& again) {
        spdlog::critical("cleanup after internal error failed: {}", again.what());
      }
    }
  }

  template <typename Capability>
  std::unique_ptr<Capability> build(const BackendSpec& spec, const BackendSite& site, std::string& error) {
    const auto* factory = registry_.find<Capability>(spec.backend);
    if (factory == nullptr) {
      error = fmt::format("no backend '{}' in this build", spec.backend);
      return nullptr;
    }
    try {
      return factory->create(site, context_);
    } catch (const std::exception& e) {
      error = e.what();
      return nullptr;
    }
  }

  void create_backends() {
    const auto selected = scenario_.select(rack_);
    for (const Segment& seg : rack_.segments) {
      SegmentSlot& s = segments_[seg.name];
      s.segment = &seg;
      s.backends.reserve(seg.outages.size());  // slots are pointed at: no reallocation
      for (const BackendSpec& spec : seg.outages) {
        OutageBackendSlot& b = s.backends.emplace_back();
        b.spec = &spec;
        b.modes = outage_modes(spec, seg, registry_);
        std::string error;
        b.outage = build<OutageSwitch>(spec, {spec, nullptr, &seg}, error);
        if (!b.outage) {
          b.setup_failure = fmt::format("segment {}: {} outage backend: {}", seg.name, spec.backend, error);
          continue;
        }
        b.outage->watch([this, &s](const OutageEffect& effect) {
          clock_->post([this, &s, effect] { outage_bites(s, effect); });
        });
      }
    }
    if (rack_.cloud) {
      std::string error;
      cloud_ = build<Cloud>(*rack_.cloud, {*rack_.cloud}, error);
      if (!cloud_) cloud_failure_ = fmt::format("cloud: {}", error);
    }
    for (const RackDevice& d : rack_.devices) {
      auto slot = std::make_unique<DeviceSlot>();
      slot->device = &d;
      slot->selected = std::find(selected.begin(), selected.end(), &d) != selected.end();
      std::vector<std::string> errors;
      const auto make = [&]<typename Capability>(const std::optional<BackendSpec>& spec,
                                                 std::unique_ptr<Capability>& out) {
        if (!spec) return;
        std::string error;
        out = build<Capability>(*spec, {*spec, &d}, error);
        if (!out) errors.push_back(error);
      };
      make(d.power, slot->power);
      if (slot->selected) {
        make(d.serial, slot->serial);
        make(d.led, slot->led);
        // Colours are named through the slot's calibration; the samples come raw.
        if (slot->led) slot->decoder = LedDecoder({.colour_correction = slot->led->colour_correction()});
      }
      if (!errors.empty() && slot->selected) {
        Failure f;
        f.cls = FailureClass::infrastructure;
        f.kind = "setup";
        f.message = fmt::format("{}: {}", d.name, errors.front());
        slot->setup_failure = f;
        timeline_.record(EventKind::failure, d.name, "setup",
                         {{"class", "infrastructure"}, {"message", f.message}});
      }
      devices_.push_back(std::move(slot));
    }
  }

  // ---- observers: hardware output -> timeline events --------------------------------------------

  void start_observers() {
    for (auto& slot : devices_) {
      if (!slot->selected) continue;
      DeviceSlot* s = slot.get();
      if (s->serial) {
        s->serial->open(
            {.on_bytes = [this, s](Instant arrival,
                                   std::string_view bytes) { on_serial(*s, arrival, bytes); },
             .on_link = [this, s](bool attached,
                                  const std::string& detail) { on_serial_link(*s, attached, detail); }});
      }
      if (s->led) {
        s->led->start(
            {.on_samples = [this, s](std::span<const RgbSample> samples) { on_samples(*s, samples); },
             .on_fault =
                 [this, s](const HardwareFault& f) {
                   timeline_.record(EventKind::note, s->device->name, "led_sensor_fault",
                                    {{"message", fmt::format("{}: {}", s->device->name, f.message)}});
                 }});
      }
    }
    if (cloud_) {
      cloud_->subscribe([this](const CloudEvent& e) { on_cloud_event(e); });
    }
  }

  void on_serial(DeviceSlot& s, Instant arrival, std::string_view bytes) {
    for (SerialLine& line : s.framer.feed(arrival, bytes)) record_line(s, line);
    if (s.framer.pending()) {
      s.idle_flush = clock_->after(s.framer.options().idle_flush, [this, &s] {
        if (auto line = s.framer.flush_idle(clock_->now())) record_line(s, *line);
      });
    }
  }

  void on_serial_link(DeviceSlot& s, bool attached, const std::string& detail) {
    if (!attached) {
      if (auto line = s.framer.flush()) record_line(s, *line);
    }
    timeline_.record(EventKind::serial_link, s.device->name, attached ? "attached" : "detached",
                     detail.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"detail", detail}});
  }

  void record_line(DeviceSlot& s, const SerialLine& line) {
    // since_ms: the host arrival time of the line's first byte (Event::began).
    nlohmann::json data = {{"line", line.text}, {"since_ms", rounded(ms_since_start(line.t), ms_decimals)}};
    if (line.partial) data["partial"] = true;
    const auto parsed = parser_.parse(line.text);
    if (parsed && parsed->device_ms) data["device_ms"] = *parsed->device_ms;
    timeline_.record(EventKind::serial, s.device->name, "line", std::move(data));
    if (parsed) {
      nlohmann::json fields = parsed->fields.is_object() ? parsed->fields : nlohmann::json::object();
      if (parsed->device_ms) fields["device_ms"] = *parsed->device_ms;
      timeline_.record(EventKind::devos, s.device->name, parsed->name, std::move(fields));
    }
  }

  void on_samples(DeviceSlot& s, std::span<const RgbSample> samples) {
    for (const LedStateChange& c : s.decoder.feed(samples)) record_led(s, c);
  }

  void record_led(DeviceSlot& s, const LedStateChange& c) {
    nlohmann::json data = {{"since_ms", rounded(ms_since_start(c.start), ms_decimals)}};
    if (c.code) data["code"] = *c.code;
    if (c.colour) data["color"] = *c.colour;
    if (c.count) data["count"] = *c.count;
    if (c.rgb) data["rgb"] = {c.rgb->r, c.rgb->g, c.rgb->b};
    if (c.period) data["period_ms"] = to_ms(*c.period);
    timeline_.record(EventKind::led, s.device->name, c.state, std::move(data));
  }

  void on_cloud_event(const CloudEvent& e) {
    if (!e.device) return;
    const RackDevice* d = rack_.find_device(e.device->str());
    if (d == nullptr) return;  // another device on the same account
    nlohmann::json data = {{"data", e.data}, {"published_at", e.published_at}};
    if (e.name == "spark/status") data["status"] = trimmed(e.data);
    timeline_.record(EventKind::cloud, d->name, e.name, std::move(data));
  }

  void poll_cloud_status(DeviceSlot& s, std::function<void()> then) {
    if (!cloud_) {
      then();
      return;
    }
    cloud_->device_info(s.device->id, [this, &s, then = std::move(then)](const CloudReply& reply) {
      if (reply.ok() && reply.body.contains("online")) {
        const bool online = reply.body["online"].get<bool>();
        if (current_cloud_status(timeline_, s.device->name) != (online ? "online" : "offline")) {
          timeline_.record(EventKind::cloud, s.device->name, "device_info",
                           {{"status", online ? "online" : "offline"}});
        }
      }
      then();
    });
  }

  // ---- the run ----------------------------------------------------------------------------------

  void start() {
    timeline_.record(EventKind::run, "", "start",
                     {{"scenario", scenario_.name},
                      {"rack", rack_.name},
                      {"seed", options_.seed},
                      {"repeats", scenario_.repeat},
                      {"simulated", clock_->is_virtual()}});
    create_backends();
    start_observers();
    watch_devices_for_outage_effects();
    sweep_outages([this] { drive_safe_power([this] { begin_repeat(1); }); });
  }

  // Relays go to the rack's declared safe state: at start and at every exit path.
  void drive_safe_power(std::function<void()> then) {
    std::vector<DeviceSlot*> powered;
    for (auto& s : devices_) {
      if (s->power) powered.push_back(s.get());
    }
    auto join = std::make_shared<Join>(powered.size(), std::move(then));
    for (DeviceSlot* s : powered) {
      set_power(*s, rack_.safe_power, [join](const Status&) { join->arrive(); });
    }
  }

  // Sets power and records the edge; answers within kBackendAnswerTimeout whatever the backend does.
  // Switching on waits until the device has been off for its minimum off time and, when several
  // devices go on together, keeps them the rack's on_spacing apart.
  void set_power(DeviceSlot& s, PowerState state, std::function<void(const Status&)> done) {
    s.delayed_on.cancel();  // a newer request replaces a power-on still waiting
    if (state == PowerState::off) {
      switch_power(s, state, std::move(done));
      return;
    }
    const Instant now = clock_->now();
    Instant at = now;
    std::string reason;
    if (s.last_off) {
      const Duration min_off = s.device->min_off.value_or(rack_.min_off);
      if (*s.last_off + min_off > at) {
        at = *s.last_off + min_off;
        reason = fmt::format("min_off {}", format_duration(min_off));
      }
    }
    if (next_power_on_ > at) {
      at = next_power_on_;
      reason = fmt::format("on_spacing {}", format_duration(rack_.power_on_spacing));
    }
    next_power_on_ = at + rack_.power_on_spacing;
    if (at == now) {
      switch_power(s, state, std::move(done));
      return;
    }
    timeline_.record(EventKind::note, s.device->name, "power_on_delayed",
                     {{"by_ms", to_ms(at - now)}, {"reason", reason}});
    s.delayed_on = clock_->at(
        at, [this, &s, state, done = std::move(done)]() mutable { switch_power(s, state, std::move(done)); });
  }

  void switch_power(DeviceSlot& s, PowerState state, std::function<void(const Status&)> done) {
    ask_backend(
        s.power->describe(), [&s, state](Done reply) { s.power->set(state, std::move(reply)); },
        [this, &s, state, done = std::move(done)](const Status& status) {
          if (status) {
            timeline_.record(EventKind::power, s.device->name, "error",
                             {{"state", to_string(state)}, {"message", status->message}});
          } else {
            if (state == PowerState::off) s.last_off = clock_->now();
            timeline_.record(EventKind::power, s.device->name, std::string(to_string(state)));
          }
          done(status);
        });
  }

  // Asks a backend to act: `finish` runs once, on the loop, with the backend's answer or, after
  // kBackendAnswerTimeout, with a fault saying `who` did not answer (the lab is then to blame).
  void ask_backend(const std::string& who, const std::function<void(Done)>& request,
                   std::function<void(const Status&)> finish) {
    struct Pending {
      bool answered = false;
      Timer timeout;
    };
    auto pending = std::make_shared<Pending>();
    auto once = [pending, finish = std::move(finish)](const Status& status) {
      if (pending->answered) return;
      pending->answered = true;
      pending->timeout.cancel();
      finish(status);
    };
    pending->timeout = clock_->after(kBackendAnswerTimeout, [once, who] {
      once(fault(fmt::format("{} did not answer within {}", who, format_duration(kBackendAnswerTimeout))));
    });
    request([this, once](Status status) { clock_->post([once, status] { once(status); }); });
  }

  void begin_repeat(int repeat) {
    repeat_ = repeat;
    repeat_started_ = clock_->now();
    repeat_starts_.push_back(repeat_started_);
    timeline_.record(EventKind::run, "", "repeat_start", {{"repeat", repeat}});
    flows_.clear();
    const std::size_t first_case = result_.cases.size();
    for (auto& s : devices_) {
      if (!s->selected) continue;
      result_.cases.push_back(
          CaseResult{.device = s->device->name, .repeat = repeat, .started = clock_->now()});
      auto flow = std::make_unique<Flow>();
      flow->slot = s.get();
      flow->marks["repeat_start"] = repeat_started_;
      flows_.push_back(std::move(flow));
    }
    // No more cases are added during this repeat, so pointers into the vector stay valid.
    for (std::size_t i = 0; i < flows_.size(); ++i) flows_[i]->result = &result_.cases[first_case + i];
    for (auto& flow : flows_) {
      Flow* f = flow.get();
      timeline_.record(EventKind::mark, f->slot->device->name, "repeat_start", {{"repeat", repeat}});
      if (f->slot->setup_failure) {
        fail(*f, *f->slot->setup_failure);
        continue;
      }
      if (cloud_failure_) {
        fail(*f, Failure{.cls = FailureClass::infrastructure, .kind = "setup", .message = *cloud_failure_});
        continue;
      }
      poll_cloud_status(*f->slot, [this, f] { advance(*f); });
    }
  }

  void advance(Flow& f) {
    if (f.done || stopping_) return;
    if (f.step >= scenario_.steps.size()) {
      f.done = true;
      f.result->ended = clock_->now();
      after_flow_change();
      return;
    }
    const Step& step = scenario_.steps[f.step];
    if (step.shared()) {
      f.at_barrier = true;
      after_flow_change();
      return;
    }
    f.step_started = clock_->now();
    f.marks["step_start"] = f.step_started;
    timeline_.record(EventKind::step, f.slot->device->name, "start",
                     {{"index", step.index}, {"step", step.label()}});
    const std::uint64_t generation = ++f.generation;
    run_device_step(f, step, [this, &f, generation, &step] {
      if (f.done || f.generation != generation) return;
      ++f.generation;  // late answers for this step are ignored from here on
      end_wait(f);
      timeline_.record(EventKind::step, f.slot->device->name, "end",
                       {{"index", step.index}, {"result", "pass"}});
      ++f.step;
      clock_->post([this, &f] { advance(f); });
    });
  }

  void fail(Flow& f, Failure failure) {
    if (f.done) return;
    failure.t = clock_->now();
    if (f.step < scenario_.steps.size() && failure.step.empty() && failure.kind != "setup") {
      failure.step = scenario_.steps[f.step].label();
      failure.where = scenario_.steps[f.step].loc;
    }
    // Done before recording: listeners of the failure event must find the flow already stopped.
    f.done = true;
    f.at_barrier = false;
    ++f.generation;
    end_wait(f);
    f.result->ended = clock_->now();
    timeline_.record(
        EventKind::failure, f.slot->device->name, failure.kind,
        {{"class", to_string(failure.cls)}, {"message", failure.message}, {"step", failure.step}});
    f.result->failures.push_back(std::move(failure));
    after_flow_change();
  }

  void end_wait(Flow& f) {
    f.timers.clear();
    if (f.listener) timeline_.unsubscribe(*f.listener);
    f.listener.reset();
  }

  // A flow finished, failed or reached a barrier: maybe the barrier opens or the repeat ends.
  void after_flow_change() {
    if (barrier_busy_ || stopping_) return;
    bool any_running = false;
    bool any_waiting = false;
    for (const auto& flow : flows_) {
      if (flow->done) continue;
      if (flow->at_barrier) {
        any_waiting = true;
      } else {
        any_running = true;
      }
    }
    if (any_running) return;
    if (any_waiting) {
      clock_->post([this] { release_barrier(); });
    } else {
      clock_->post([this] { end_repeat(); });
    }
  }

  // Every device still running has reached the same shared step: run it once for its segments.
  void release_barrier() {
    if (barrier_busy_ || stopping_) return;
    std::vector<Flow*> waiting;
    for (auto& flow : flows_) {
      if (!flow->done && flow->at_barrier) waiting.push_back(flow.get());
    }
    if (waiting.empty()) return;
    barrier_busy_ = true;
    const Step& step = scenario_.steps[waiting.front()->step];
    const auto& outage = std::get<OutageStep>(step.action);
    std::vector<std::string> names = outage.segments;
    if (names.empty()) {
      for (Flow* f : waiting) {
        const std::string& seg = f->slot->device->segment;
        if (std::find(names.begin(), names.end(), seg) == names.end()) names.push_back(seg);
      }
    }
    timeline_.record(EventKind::step, "", "start", {{"index", step.index}, {"step", step.label()}});
    auto faults = std::make_shared<std::map<std::string, std::string>>();
    auto join = std::make_shared<Join>(names.size(), [this, waiting, faults, &step] {
      barrier_busy_ = false;
      timeline_.record(EventKind::step, "", "end",
                       {{"index", step.index}, {"result", faults->empty() ? "pass" : "error"}});
      for (Flow* f : waiting) {
        if (f->done) continue;
        f->at_barrier = false;
        if (const auto it = faults->find(f->slot->device->segment); it != faults->end()) {
          fail(*f, Failure{.cls = FailureClass::infrastructure, .kind = "outage", .message = it->second});
          continue;
        }
        timeline_.record(EventKind::step, f->slot->device->name, "end",
                         {{"index", step.index}, {"result", "pass"}});
        ++f->step;
        clock_->post([this, f] { advance(*f); });
      }
      after_flow_change();
    });
    for (const std::string& name : names) {
      switch_outage(segments_.at(name), outage, [join, faults, name](const Status& status) {
        if (status) (*faults)[name] = status->message;
        join->arrive();
      });
    }
  }

  // ---- outages ----------------------------------------------------------------------------------

  // What an earlier, killed run left in force (a table, a qdisc) goes before this one starts.
  void sweep_outages(std::function<void()> then) {
    std::vector<std::pair<SegmentSlot*, OutageBackendSlot*>> all;
    for (auto& [name, seg] : segments_) {
      for (auto& b : seg.backends) {
        if (b.outage) all.emplace_back(&seg, &b);
      }
    }
    auto join = std::make_shared<Join>(all.size(), std::move(then));
    for (auto [seg, b] : all) {
      b->outage->sweep([this, join, name = seg->segment->name](const Status& fault,
                                                               const std::optional<std::string>& removed) {
        if (removed) {
          spdlog::warn("segment {}: {}", name, *removed);
          timeline_.record(EventKind::outage, "", "leftover_removed",
                           {{"segment", name}, {"message", *removed}});
        }
        if (fault) spdlog::warn("segment {}: could not look for a leftover outage: {}", name, fault->message);
        join->arrive();
      });
    }
  }

  void switch_outage(SegmentSlot& seg, const OutageStep& step, std::function<void(const Status&)> done) {
    if (!step.start) {
      stop_outage(seg, std::move(done));
      return;
    }
    const auto it = std::find_if(seg.backends.begin(), seg.backends.end(),
                                 [&](const OutageBackendSlot& b) { return b.performs(step.spec.mode); });
    if (it == seg.backends.end()) {
      done(fault(fmt::format("segment {}: no outage backend performs mode {}", seg.segment->name,
                             to_string(step.spec.mode))));
      return;
    }
    OutageBackendSlot& backend = *it;
    if (backend.setup_failure) {
      done(fault(*backend.setup_failure));
      return;
    }
    // A new outage replaces the one in force; another backend's must be lifted first.
    if (seg.in_force != nullptr && seg.in_force != &backend) {
      stop_outage(seg, [this, &seg, &step, done = std::move(done)](const Status& status) mutable {
        if (status) {
          done(status);
          return;
        }
        switch_outage(seg, step, std::move(done));
      });
      return;
    }
    backend.started = true;
    const std::string name = seg.segment->name;
    ask_backend(
        backend.outage->describe(),
        [&backend, &step](Done reply) { backend.outage->start(step.spec, std::move(reply)); },
        [this, &seg, &backend, name, spec = step.spec, done = std::move(done)](Status status) {
          if (status) {
            status->message = fmt::format("segment {}: {}", name, status->message);
            timeline_.record(EventKind::outage, "", "error",
                             {{"segment", name}, {"message", status->message}});
            done(status);
            return;
          }
          nlohmann::json data = {{"segment", name},
                                 {"mode", to_string(spec.mode)},
                                 {"backend", backend.spec->backend},
                                 {"outage", describe(spec)}};
          if (spec.mode != OutageMode::impair && spec.mode != OutageMode::link)
            data["action"] = to_string(spec.action);
          seg.in_force = &backend;
          timeline_.record(EventKind::outage, "", "start", data);
          expect_effect(seg, spec);
          done(std::nullopt);
        });
  }

  // Lifts whatever any of the segment's backends has in force.
  void stop_outage(SegmentSlot& seg, std::function<void(const Status&)> done) {
    std::vector<OutageBackendSlot*> lifting;
    for (auto& b : seg.backends) {
      if (b.outage && (b.started || b.outage->active())) lifting.push_back(&b);
    }
    seg.effect_deadline.cancel();
    if (seg.in_force != nullptr && !seg.effective && !seg.effect_missed) {
      const std::string message = fmt::format(
          "segment {}: the outage was lifted before it showed any effect (no device's traffic "
          "was seen stopped and no device reported the loss)",
          seg.segment->name);
      spdlog::warn("{}", message);
      timeline_.record(EventKind::outage, "", "unconfirmed",
                       {{"segment", seg.segment->name}, {"message", message}});
    }
    seg.in_force = nullptr;
    auto faults = std::make_shared<std::vector<std::string>>();
    auto join = std::make_shared<Join>(lifting.size(), [this, &seg, faults, done = std::move(done)] {
      const std::string name = seg.segment->name;
      if (faults->empty()) {
        timeline_.record(EventKind::outage, "", "stop", {{"segment", name}});
        done(std::nullopt);
        return;
      }
      const std::string message = fmt::format("segment {}: {}", name, fmt::join(*faults, "; "));
      timeline_.record(EventKind::outage, "", "error", {{"segment", name}, {"message", message}});
      done(fault(message));
    });
    for (OutageBackendSlot* b : lifting) {
      ask_backend(
          b->outage->describe(), [b](Done reply) { b->outage->stop(std::move(reply)); },
          [b, faults, join](Status status) {
            if (status) {
              faults->push_back(status->message);
            } else {
              b->started = false;  // lifted: nothing left to clean up
            }
            join->arrive();
          });
    }
  }

  // An outage counts as effective once a backend sees a device's traffic stopped or a device
  // reports the loss; none of that within the segment's `effect_within` is the lab's failure.
  void expect_effect(SegmentSlot& seg, const OutageSpec& spec) {
    seg.effective = false;
    seg.effect_missed = false;
    seg.confirmed.clear();
    seg.effect_deadline = clock_->after(seg.segment->effect_within, [this, &seg, spec] {
      if (seg.in_force == nullptr || seg.effective) return;
      const std::string message = fmt::format(
          "segment {}: the {} outage showed no effect within {}: no device's traffic was seen stopped and no "
          "device reported the loss (is the rack's outage backend really between the devices and the cloud?)",
          seg.segment->name, describe(spec), format_duration(seg.segment->effect_within));
      seg.effect_missed = true;  // said once, not again as "unconfirmed" when it is lifted
      timeline_.record(EventKind::outage, "", "not_effective",
                       {{"segment", seg.segment->name}, {"message", message}});
      for (auto& flow : flows_) {
        if (!flow->done && flow->slot->device->segment == seg.segment->name) {
          fail(*flow,
               Failure{
                   .cls = FailureClass::infrastructure, .kind = "outage_not_effective", .message = message});
        }
      }
    });
  }

  void outage_bites(SegmentSlot& seg, const OutageEffect& effect) {
    if (seg.in_force == nullptr || !seg.confirmed.insert(effect.device).second) return;
    seg.effective = true;
    seg.effect_deadline.cancel();
    timeline_.record(EventKind::outage, effect.device, "effective",
                     {{"segment", seg.segment->name}, {"evidence", effect.evidence}});
  }

  // The devices' own reports of a lost cloud count as evidence too (backends that cannot see
  // traffic, such as command and gpio, rely on them).
  void watch_devices_for_outage_effects() {
    timeline_.subscribe([this](const Event& e) {
      if (e.device.empty() || !reports_loss(e)) return;
      const RackDevice* d = rack_.find_device(e.device);
      if (d == nullptr || d->segment.empty()) return;
      const auto it = segments_.find(d->segment);
      if (it == segments_.end() || it->second.in_force == nullptr ||
          it->second.confirmed.count(e.device) != 0)
        return;
      clock_->post([this, &seg = it->second,
                    effect = OutageEffect{
                        e.device, fmt::format("the device reported {} {}", to_string(e.kind), e.name)}] {
        outage_bites(seg, effect);
      });
    });
  }

  // Every outage started on this run is lifted, whatever happened.
  void lift_outages(std::function<void()> then) {
    std::vector<SegmentSlot*> active;
    for (auto& [name, seg] : segments_) {
      const bool any = std::any_of(seg.backends.begin(), seg.backends.end(), [](const OutageBackendSlot& b) {
        return b.outage && (b.started || b.outage->active());
      });
      if (any) active.push_back(&seg);
    }
    auto join = std::make_shared<Join>(active.size(), std::move(then));
    for (SegmentSlot* seg : active) {
      stop_outage(*seg, [this, join](const Status& status) {
        if (status) {
          result_.run_failures.push_back(Failure{.cls = FailureClass::infrastructure,
                                                 .kind = "outage_not_lifted",
                                                 .message = status->message,
                                                 .t = clock_->now()});
        }
        join->arrive();
      });
    }
  }

  void end_repeat() {
    if (stopping_) return;
    for (auto& flow : flows_) {
      if (!flow->done) return;
    }
    repeat_ends_.push_back(clock_->now());
    lift_outages([this] {
      timeline_.record(EventKind::run, "", "repeat_end", {{"repeat", repeat_}});
      if (repeat_ < scenario_.repeat) {
        begin_repeat(repeat_ + 1);
      } else {
        finish_run();
      }
    });
  }

  // Every exit path ends here: outages lifted, relays in the safe state, observers closed.
  void finish_run() {
    if (finishing_) return;
    finishing_ = true;
    stopping_ = true;
    lift_outages([this] {
      drive_safe_power([this] {
        for (auto& s : devices_) {
          if (s->serial) s->serial->close();
          if (s->led) s->led->stop();
          if (auto line = s->framer.flush()) record_line(*s, *line);
          for (const LedStateChange& c : s->decoder.finish()) record_led(*s, c);
        }
        timeline_.record(EventKind::run, "", "end");
        clock_->stop();
      });
    });
  }

  void abort_run(FailureClass cls, const std::string& kind, const std::string& message) {
    if (finishing_) return;
    stopping_ = true;
    result_.run_failures.push_back(Failure{.cls = cls, .kind = kind, .message = message, .t = clock_->now()});
    timeline_.record(EventKind::failure, "", kind, {{"class", to_string(cls)}, {"message", message}});
    for (auto& flow : flows_) fail(*flow, Failure{.cls = cls, .kind = kind, .message = message});
    if (repeat_ends_.size() < repeat_starts_.size()) repeat_ends_.push_back(clock_->now());
    finish_run();
  }

  // ---- per-device steps -------------------------------------------------------------------------

  void run_device_step(Flow& f, const Step& step, std::function<void()> pass) {
    std::visit(
        Overloaded{[&](const PowerStep& p) { power_step(f, p, std::move(pass)); },
                   [&](const OutageStep&) {},  // shared: handled by the barrier
                   [&](const WaitStep& w) { f.timers.push_back(clock_->after(w.duration, std::move(pass))); },
                   [&](const MarkStep& m) {
                     f.marks[m.name] = clock_->now();
                     timeline_.record(EventKind::mark, f.slot->device->name, m.name);
                     pass();
                   },
                   [&](const ExpectStep& e) { expect_step(f, e, std::move(pass)); },
                   [&](const SleepStep& s) { sleep_step(f, s, std::move(pass)); },
                   [&](const OtaStep& o) { ota_step(f, o, std::move(pass)); }},
        step.action);
  }

  void infra_fail(Flow& f, const std::string& kind, const std::string& message) {
    fail(f, Failure{.cls = FailureClass::infrastructure,
                    .kind = kind,
                    .message = fmt::format("{}: {}", f.slot->device->name, message)});
  }

  void power_step(Flow& f, const PowerStep& p, std::function<void()> pass) {
    const std::uint64_t generation = f.generation;
    const auto guard = [this, &f, generation](auto fn) {
      return [this, &f, generation, fn](const Status& status) {
        if (f.done || f.generation != generation) return;
        if (status) {
          infra_fail(f, "power", status->message);
          return;
        }
        fn();
      };
    };
    if (p.action != PowerStep::Action::cycle) {
      set_power(*f.slot, p.action == PowerStep::Action::on ? PowerState::on : PowerState::off, guard(pass));
      return;
    }
    set_power(*f.slot, PowerState::off, guard([this, &f, p, guard, pass] {
      f.timers.push_back(clock_->after(
          *p.off_for, [this, &f, guard, pass] { set_power(*f.slot, PowerState::on, guard(pass)); }));
    }));
  }

  // Waits until `what` holds inside [from, until] on the device's timeline.
  void wait_for(Flow& f, const Observation& what, Instant from, Instant until, std::function<void()> pass,
                std::function<void()> timed_out) {
    const std::string& device = f.slot->device->name;
    auto check = [this, &f, what, from, until, pass, timed_out, device, generation = f.generation] {
      if (f.done || f.generation != generation) return;
      const QueryResult r = find_observation(timeline_, device, what, from, until, clock_->now());
      if (r.state == MatchState::found) {
        pass();
      } else if (r.state == MatchState::never) {
        timed_out();
      }
    };
    f.listener = timeline_.subscribe([check, device](const Event& e) {
      if (e.device == device) check();
    });
    for (const Instant t : {from + kLedRecognitionHorizon, until, until + kLedRecognitionHorizon}) {
      if (t > clock_->now()) f.timers.push_back(clock_->at(t, check));
    }
    clock_->post(check);
  }

  Instant reference(const Flow& f, const std::string& mark) const { return f.marks.at(mark); }

  void expect_step(Flow& f, const ExpectStep& e, std::function<void()> pass) {
    const RackDevice& d = *f.slot->device;
    const Instant from = reference(f, e.from);
    const Duration within = scenario_.resolve(e.within, d);
    const Instant until = from + within;
    std::visit(Overloaded{[&](const Observation& o) {
                            const auto timed_out = [this, &f, o, within, e, until] {
                              fail(f, Failure{.cls = FailureClass::device,
                                              .kind = "timeout",
                                              .message = fmt::format(
                                                  "expected {} within {} of {} (by {}); saw {}", o.describe(),
                                                  format_duration(within), e.from, clock_text(until),
                                                  describe_device_state(timeline_, f.slot->device->name))});
                            };
                            if (o.kind == Observation::Kind::cloud_status) {
                              poll_cloud_status(*f.slot, [this, &f, o, from, until, pass, timed_out] {
                                wait_for(f, o, from, until, pass, timed_out);
                              });
                            } else {
                              wait_for(f, o, from, until, pass, timed_out);
                            }
                          },
                          [&](const CloudCall& c) { call_step(f, c, until, std::move(pass)); },
                          [&](const VariableRead& v) { variable_step(f, v, until, std::move(pass)); }},
               e.what);
  }

  // A cloud error means different things: see CloudError.
  Failure cloud_failure(Flow& f, const CloudReply& reply, const std::string& what) {
    const std::string device = f.slot->device->name;
    Failure failure;
    failure.message =
        fmt::format("{}: {} failed: HTTP {} {}", device, what, reply.http_status, reply.message);
    switch (reply.error) {
      case CloudError::timed_out: {
        failure.cls = FailureClass::device;
        failure.kind = "timeout";
        const bool looks_connected = current_led(timeline_, device) == "breathing_cyan" &&
                                     current_cloud_status(timeline_, device) == "online";
        if (looks_connected) {
          failure.kind = "orphaned";
          failure.message = fmt::format(
              "{}: {} timed out (HTTP 408) while the device was breathing cyan and the cloud listed it "
              "online: "
              "orphaned (connected on both sides, but the cloud cannot reach it)",
              device, what);
        }
        break;
      }
      case CloudError::not_found:
      case CloudError::bad_request:
        failure.cls = FailureClass::scenario;
        failure.kind = "cloud_request";
        break;
      case CloudError::token:
        failure.cls = FailureClass::infrastructure;
        failure.kind = "cloud_token";
        break;
      default:
        failure.cls = FailureClass::infrastructure;
        failure.kind = "cloud";
        break;
    }
    return failure;
  }

  // Runs a cloud request with the step's deadline: no answer by `until` is the device's failure.
  void cloud_request(Flow& f, Instant until, const std::string& what,
                     const std::function<void(Cloud::Reply)>& request,
                     std::function<void(const CloudReply&)> ok) {
    if (!cloud_) {
      infra_fail(f, "cloud", "the rack has no cloud");
      return;
    }
    const std::uint64_t generation = f.generation;
    f.timers.push_back(clock_->at(until, [this, &f, what] {
      fail(f, Failure{.cls = FailureClass::device,
                      .kind = "timeout",
                      .message = fmt::format("{}: {}: no answer by {}; saw {}", f.slot->device->name, what,
                                             clock_text(clock_->now()),
                                             describe_device_state(timeline_, f.slot->device->name))});
    }));
    request([this, &f, generation, what, ok = std::move(ok)](const CloudReply& reply) {
      if (f.done || f.generation != generation) return;
      timeline_.record(
          EventKind::cloud, f.slot->device->name, "reply",
          {{"request", what}, {"http_status", reply.http_status}, {"error", to_string(reply.error)}});
      if (!reply.ok()) {
        fail(f, cloud_failure(f, reply, what));
        return;
      }
      ok(reply);
    });
  }

  void call_step(Flow& f, const CloudCall& c, Instant until, std::function<void()> pass) {
    const std::string what = fmt::format("function {}({})", c.function, c.arg);
    cloud_request(
        f, until, what,
        [this, &f, c](Cloud::Reply reply) {
          cloud_->call_function(f.slot->device->id, c.function, c.arg, reply);
        },
        [this, &f, c, what, pass](const CloudReply& reply) {
          const auto value = reply.body.value("return_value", nlohmann::json());
          if (c.returns && (!value.is_number_integer() || value.get<long long>() != *c.returns)) {
            fail(f, Failure{.cls = FailureClass::device,
                            .kind = "wrong_value",
                            .message = fmt::format("{}: {} returned {}, expected {}", f.slot->device->name,
                                                   what, value.dump(), *c.returns)});
            return;
          }
          pass();
        });
  }

  void variable_step(Flow& f, const VariableRead& v, Instant until, std::function<void()> pass) {
    const std::string what = fmt::format("variable {}", v.variable);
    cloud_request(
        f, until, what,
        [this, &f, v](Cloud::Reply reply) { cloud_->read_variable(f.slot->device->id, v.variable, reply); },
        [this, &f, v, what, pass](const CloudReply& reply) {
          const auto value = reply.body.value("result", nlohmann::json());
          const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
          if (v.equals && text != *v.equals) {
            fail(f, Failure{.cls = FailureClass::device,
                            .kind = "wrong_value",
                            .message = fmt::format("{}: {} is '{}', expected '{}'", f.slot->device->name,
                                                   what, text, *v.equals)});
            return;
          }
          pass();
        });
  }

  void sleep_step(Flow& f, const SleepStep& s, std::function<void()> pass) {
    const Instant until = clock_->now() + scenario_.resolve(s.within, *f.slot->device);
    const std::string arg =
        fmt::format("{},{}", s.mode, std::chrono::duration_cast<std::chrono::seconds>(s.duration).count());
    cloud_request(
        f, until, fmt::format("sleep request {}({})", s.function, arg),
        [this, &f, s, arg](Cloud::Reply reply) {
          cloud_->call_function(f.slot->device->id, s.function, arg, reply);
        },
        [this, &f, until, pass](const CloudReply&) {
          end_wait(f);
          Observation dark;
          dark.kind = Observation::Kind::led;
          dark.value = "off";
          wait_for(f, dark, f.step_started, until, pass, [this, &f, until] {
            fail(f, Failure{.cls = FailureClass::device,
                            .kind = "no_sleep",
                            .message = fmt::format("{}: asked to sleep but the LED was not off by {}; saw {}",
                                                   f.slot->device->name, clock_text(until),
                                                   describe_device_state(timeline_, f.slot->device->name))});
          });
        });
  }

  void ota_step(Flow& f, const OtaStep& o, std::function<void()> pass) {
    const Instant until = clock_->now() + scenario_.resolve(o.within, *f.slot->device);
    cloud_request(
        f, until, fmt::format("OTA of {}", o.firmware.filename().string()),
        [this, &f, o](Cloud::Reply reply) { cloud_->flash(f.slot->device->id, o.firmware, reply); },
        [this, &f, until, pass](const CloudReply&) {
          end_wait(f);
          Observation started;
          started.kind = Observation::Kind::cloud_event;
          started.value = "spark/flash/status";
          started.data = "started";
          wait_for(f, started, f.step_started, until, pass, [this, &f, until] {
            fail(f, Failure{.cls = FailureClass::device,
                            .kind = "ota_not_started",
                            .message = fmt::format("{}: the cloud accepted the update but did not report "
                                                   "spark/flash/status started by {}",
                                                   f.slot->device->name, clock_text(until))});
          });
        });
  }

  // ---- results ----------------------------------------------------------------------------------

  void compute_measurements() {
    const Instant end = clock_->now() + kLedRecognitionHorizon;  // the timeline is final
    for (const Measurement& m : scenario_.measurements) {
      for (std::size_t r = 0; r < repeat_starts_.size(); ++r) {
        const Instant start = repeat_starts_[r];
        const Instant stop = r < repeat_ends_.size() ? repeat_ends_[r] : clock_->now();
        for (auto& s : devices_) {
          if (!s->selected) continue;
          MeasurementSample sample{
              .name = m.name, .device = s->device->name, .repeat = static_cast<int>(r + 1), .unit = m.unit};
          const auto a = find_observation(timeline_, s->device->name, m.from, start, stop, end);
          if (!a.match) {
            sample.missing = fmt::format("no {} in repeat {}", m.from.describe(), r + 1);
          } else {
            const auto b = find_observation(timeline_, s->device->name, m.to, a.match->at, stop, end);
            if (!b.match) {
              sample.missing =
                  fmt::format("no {} after {} in repeat {}", m.to.describe(), m.from.describe(), r + 1);
            } else {
              sample.value = in_unit(b.match->at - a.match->at, m.unit);
            }
          }
          record_sample(sample);
          result_.samples.push_back(std::move(sample));
        }
      }
      evaluate_criteria(m);
    }
    // A missing measurement fails its case when nothing else already explains it.
    for (const MeasurementSample& sample : result_.samples) {
      if (sample.value) continue;
      for (CaseResult& c : result_.cases) {
        if (c.device == sample.device && c.repeat == sample.repeat && c.passed()) {
          c.failures.push_back(Failure{
              .cls = FailureClass::device,
              .kind = "measurement",
              .message = fmt::format("{}: measurement {}: {}", sample.device, sample.name, sample.missing),
              .t = clock_->now()});
        }
      }
    }
    summarise_devices();
  }

  void record_sample(const MeasurementSample& s) {
    nlohmann::json data = {{"repeat", s.repeat}, {"unit", s.unit}};
    if (s.value) {
      data["value"] = rounded(*s.value, 3);
    } else {
      data["missing"] = s.missing;
    }
    timeline_.record(EventKind::measurement, s.device, s.name, std::move(data));
  }

  void evaluate_criteria(const Measurement& m) {
    for (auto& s : devices_) {
      if (!s->selected) continue;
      std::vector<double> values;
      for (const MeasurementSample& sample : result_.samples) {
        if (sample.name == m.name && sample.device == s->device->name && sample.value)
          values.push_back(*sample.value);
      }
      for (const Criterion& c : m.pass) {
        CriterionResult r{.measurement = m.name,
                          .scope = s->device->name,
                          .statistic = c.statistic,
                          .limit = in_unit(scenario_.resolve(c.limit, *s->device), m.unit),
                          .unit = m.unit};
        r.actual = statistic(values, c.statistic);
        r.passed = r.actual && *r.actual <= r.limit;
        timeline_.record(EventKind::measurement, s->device->name, m.name + "." + c.statistic,
                         {{"limit", r.limit},
                          {"actual", r.actual ? nlohmann::json(*r.actual) : nlohmann::json()},
                          {"unit", m.unit},
                          {"passed", r.passed}});
        result_.criteria.push_back(std::move(r));
      }
    }
  }

  void summarise_devices() {
    for (auto& s : devices_) {
      if (!s->selected) continue;
      DeviceSummary d{.name = s->device->name,
                      .id = s->device->id.str(),
                      .platform = std::string(s->device->platform->name),
                      .firmware = s->device->firmware};
      d.failure_class = result_.device_failure_class(d.name);
      d.passed = !d.failure_class;
      result_.devices.push_back(std::move(d));
    }
  }

  void write_results() {
    if (results_dir_.empty()) return;
    events_file_.flush();
    std::ofstream summary(results_dir_ / "summary.json");
    write_summary_json(result_, summary);
    std::ofstream junit(results_dir_ / "junit.xml");
    write_junit_xml(result_, junit);
  }

  const Scenario& scenario_;
  const Rack& rack_;
  const RunOptions& options_;
  const BackendRegistry& registry_;
  std::unique_ptr<Clock> clock_;
  Timeline timeline_;
  BackendContext context_;
  boost::asio::signal_set signals_;
  DevosLogParser parser_;
  RunResult result_;
  std::filesystem::path results_dir_;
  std::ofstream events_file_;
  std::optional<SerialLogFiles> serial_logs_;

  std::vector<std::unique_ptr<DeviceSlot>> devices_;
  std::map<std::string, SegmentSlot> segments_;
  std::unique_ptr<Cloud> cloud_;
  std::optional<std::string> cloud_failure_;
  std::vector<std::unique_ptr<Flow>> flows_;
  int repeat_ = 0;
  Instant repeat_started_;
  Instant next_power_on_;  // the earliest a device may be switched on (on_spacing)
  std::vector<Instant> repeat_starts_;
  std::vector<Instant> repeat_ends_;
  bool barrier_busy_ = false;
  bool stopping_ = false;
  bool finishing_ = false;
};

}  // namespace

RunReport run_scenario(const Scenario& scenario, const Rack& rack, const RunOptions& options) {
  Run run(scenario, rack, options);
  return run.execute();
}

}  // namespace cyanrig
