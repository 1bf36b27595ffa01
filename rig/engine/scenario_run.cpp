#include "rig/engine/scenario_run.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <set>

#include "rig/core/duration_text.hpp"
#include "rig/engine/join.hpp"
#include "rig/event_names.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/writers.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// The devices a run measures: the selected ones not under maintenance (those are skipped).
std::vector<const RackDevice*> in_service(std::vector<const RackDevice*> devices) {
  std::erase_if(devices, [](const RackDevice* d) { return d->maintenance.has_value(); });
  return devices;
}

// How often the running summary.json is rewritten while a run goes (it is also written at the start
// and at the end): often enough to see progress, rarely enough that a long run does not spend its
// time writing summaries.
constexpr auto kSummaryEvery = 10s;

std::vector<const RackDevice*> devices_to_run(const Scenario& scenario, const Rack& rack) {
  return scenario.select(rack);
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

}  // namespace

ScenarioRun::ScenarioRun(const Scenario& scenario, const Rack& rack, const BackendRegistry& registry,
                         const RunOptions& options)
    : scenario_(scenario),
      rack_(rack),
      registry_(registry),
      options_(options),
      selected_(devices_to_run(scenario, rack)),
      clock_(rack_is_simulated(rack, registry) ? make_virtual_clock() : make_steady_clock()),
      timeline_(*clock_),
      run_{scenario, rack, *clock_, timeline_},
      context_(*clock_, rack, options.seed),
      calls_(*clock_),
      backends_(build_backends(rack, selected_, registry, context_)),
      fold_(header()),
      power_(run_, calls_),
      observers_(run_, backends_,
                 [this](const std::string& device, const std::string& kind, const std::string& message) {
                   observer_fault(device, kind, message);
                 }),
      outages_(run_, calls_, backends_,
               [this](const std::string& device, Failure f) { blame(device, std::move(f)); }),
      waits_(run_),
      cloud_(run_, backends_.cloud.get(), [this](Flow& f, Failure failure) { fail(f, std::move(failure)); }),
      listing_(run_),
      steps_{run_, power_, waits_, cloud_, [this](Flow& f, Failure failure) { fail(f, std::move(failure)); }},
      measurements_(
          run_, in_service(selected_),
          [this](const std::string& device, int repeat) { return fold_.case_class(device, repeat); }),
      health_(run_, power_, calls_),
      signals_(clock_->io()) {
  timeline_.subscribe([this](const Event& e) { fold_.add(e); });
}

ScenarioRun::~ScenarioRun() {
  // Listeners and timers refer to the rooms: drop the flows' first, then stop the signal wait.
  for (auto& f : flows_) waits_.end_wait(*f);
  signals_.cancel();
}

RunResult ScenarioRun::header() const {
  RunResult h;
  h.scenario = scenario_.name;
  h.scenario_file = scenario_.file;
  h.rack = rack_.name;
  h.rack_file = rack_.file;
  h.seed = options_.seed;
  h.simulated = rack_is_simulated(rack_, registry_);
  h.started_utc = utc_iso(std::chrono::system_clock::now());
  h.repeats = scenario_.repeat;
  return h;
}

RunReport ScenarioRun::execute() {
  wall_start_ = std::chrono::steady_clock::now();
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
  signals_.cancel();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
  RunResult result = std::move(fold_).finish(to_seconds(clock_->now().time_since_epoch()), wall);
  std::filesystem::path dir;
  if (results_) {
    dir = results_->dir();
    results_->sync();
    try {
      results_->write_summary(result);
      results_->write_junit(result);
    } catch (const std::exception& e) {
      spdlog::error("{}", e.what());
    }
  }
  return {std::move(result), dir};
}

void ScenarioRun::open_results() {
  if (options_.results_root.empty()) return;
  results_.emplace(options_.results_root, fold_.result());
  timeline_.subscribe([this](const Event& e) {
    results_->write_event(e);
    // Steps on a real rack take seconds: each is on the disk before the next. A simulated step takes
    // microseconds; there the repeat is the unit (and every write(2) is in the kernel already).
    const bool unit_done = e.kind == EventKind::run ? e.name == ev::run::kRepeatEnd
                                                    : !clock_->is_virtual() && e.kind == EventKind::step &&
                                                          e.name == ev::step::kEnd;
    if (unit_done) results_->sync();
  });
  serial_logs_.emplace(timeline_, results_->dir());
  summary_written_ = std::chrono::steady_clock::now();
}

void ScenarioRun::watch_signals() {
  // A closed stdout (`cyanrig run ... | head`) must not kill a run with outages in force.
  std::signal(SIGPIPE, SIG_IGN);
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    abort_run(FailureClass::infrastructure, "interrupted",
              fmt::format("interrupted by {}: outages lifted and power set to the rack's safe state",
                          signal_name(signal)));
  });
}

void ScenarioRun::run_loop_guarded() {
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

// ---- the run ------------------------------------------------------------------------------------

void ScenarioRun::start() {
  timeline_.record(EventKind::run, "", ev::run::kStart,
                   {{"scenario", scenario_.name},
                    {"rack", rack_.name},
                    {"seed", options_.seed},
                    {"repeats", scenario_.repeat},
                    {"simulated", clock_->is_virtual()}});
  for (const RackDevice* d : selected_) {
    timeline_.record(EventKind::run, d->name, ev::run::kDevice,
                     {{"id", d->id.str()}, {"platform", d->platform->name}, {"firmware", d->firmware}});
  }
  observers_.start();
  outages_.sweep([this] {
    power_.drive_safe(backends_.devices, [this] {
      if (stopping_) return;
      std::vector<DeviceBackends*> to_check;
      for (auto& d : backends_.devices) {
        if (d->selected && !d->device->maintenance && !d->setup_failure) to_check.push_back(d.get());
      }
      if (!options_.health_check || to_check.empty()) {
        after_health({});
        return;
      }
      health_.check(to_check, [this](const HealthCheck::Unhealthy& unhealthy) {
        power_.drive_safe(backends_.devices, [this, unhealthy] { after_health(unhealthy); });
      });
    });
  });
}

void ScenarioRun::after_health(const HealthCheck::Unhealthy& unhealthy) {
  if (stopping_) return;
  unhealthy_ = unhealthy;
  begin_repeat(1);
}

void ScenarioRun::begin_repeat(int repeat) {
  repeat_ = repeat;
  repeat_open_ = true;
  repeat_started_ = clock_->now();
  timeline_.record(EventKind::run, "", ev::run::kRepeatStart, {{"repeat", repeat}});
  for (auto& f : flows_) waits_.end_wait(*f);
  flows_.clear();
  for (auto& d : backends_.devices) {
    if (!d->selected) continue;
    if (d->device->maintenance) {
      timeline_.record(
          EventKind::run, d->device->name, ev::run::kCaseSkipped,
          {{"repeat", repeat}, {"reason", fmt::format("maintenance: {}", *d->device->maintenance)}});
      continue;
    }
    auto flow = std::make_unique<Flow>();
    flow->backends = d.get();
    flow->repeat = repeat;
    flow->marks["repeat_start"] = repeat_started_;
    flows_.push_back(std::move(flow));
  }
  for (auto& flow : flows_) {
    Flow* f = flow.get();
    timeline_.record(EventKind::run, f->name(), ev::run::kCaseStart, {{"repeat", repeat}});
    timeline_.record(EventKind::mark, f->name(), "repeat_start", {{"repeat", repeat}});
  }
  for (auto& flow : flows_) {
    Flow* f = flow.get();
    if (f->done) continue;
    const DeviceBackends& b = *f->backends;
    if (b.setup_failure) {
      fail(*f, Failure{.cls = FailureClass::infrastructure, .kind = "setup", .message = *b.setup_failure});
    } else if (backends_.cloud_failure) {
      fail(
          *f,
          Failure{.cls = FailureClass::infrastructure, .kind = "setup", .message = *backends_.cloud_failure});
    } else if (const auto fault = faulty_.find(f->name()); fault != faulty_.end()) {
      fail(*f, fault->second);  // a hardware fault names its cause better than the health check can
    } else if (const auto it = unhealthy_.find(f->name()); it != unhealthy_.end()) {
      fail(*f, Failure{.cls = FailureClass::infrastructure, .kind = "unhealthy", .message = it->second});
    } else {
      cloud_.poll_status(*f, [this, f] { advance(*f); });
    }
  }
  if (flows_.empty()) clock_->post([this] { end_repeat(); });
}

void ScenarioRun::advance(Flow& f) {
  if (f.done || stopping_) return;
  if (f.step >= scenario_.steps.size()) {
    f.done = true;
    timeline_.record(EventKind::run, f.name(), ev::run::kCaseEnd, {{"repeat", f.repeat}});
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
  timeline_.record(EventKind::step, f.name(), ev::step::kStart,
                   {{"index", step.index}, {"step", step.label()}});
  const std::uint64_t generation = ++f.generation;
  run_device_step(steps_, f, step, [this, &f, generation, &step] {
    if (f.done || f.generation != generation) return;
    ++f.generation;  // late answers for this step are ignored from here on
    waits_.end_wait(f);
    timeline_.record(EventKind::step, f.name(), ev::step::kEnd, {{"index", step.index}, {"result", "pass"}});
    ++f.step;
    clock_->post([this, &f] { advance(f); });
  });
}

void ScenarioRun::record_failure(const std::string& device, int repeat, const Failure& failure) {
  nlohmann::json data = {{"class", to_string(failure.cls)}, {"message", failure.message}, {"repeat", repeat}};
  if (!failure.step.empty()) data["step"] = failure.step;
  if (!failure.where.empty()) data["where"] = failure.where;
  timeline_.record(EventKind::failure, device, failure.kind, std::move(data));
}

void ScenarioRun::fail(Flow& f, Failure failure) {
  if (f.done) return;
  if (f.step < scenario_.steps.size() && failure.step.empty() && failure.kind != "setup" &&
      failure.kind != "unhealthy") {
    failure.step = scenario_.steps[f.step].label();
    failure.where = location_text(scenario_.steps[f.step].loc);
  }
  // Done before recording: listeners of the failure event must find the flow already stopped.
  f.done = true;
  f.at_barrier = false;
  ++f.generation;
  waits_.end_wait(f);
  record_failure(f.name(), f.repeat, failure);
  timeline_.record(EventKind::run, f.name(), ev::run::kCaseEnd, {{"repeat", f.repeat}});
  after_flow_change();
}

Flow* ScenarioRun::flow_of(const std::string& device) {
  for (auto& f : flows_) {
    if (f->name() == device) return f.get();
  }
  return nullptr;
}

void ScenarioRun::blame(const std::string& device, Failure failure) {
  Flow* f = flow_of(device);
  if (f == nullptr) return;  // not in this repeat (skipped, or not selected)
  if (!f->done) {
    fail(*f, std::move(failure));
    return;
  }
  // The case ended already, but its verdict rested on this too.
  failure.t = clock_->now();
  record_failure(device, f->repeat, failure);
}

void ScenarioRun::observer_fault(const std::string& device, const std::string& kind,
                                 const std::string& message) {
  Failure failure{.cls = FailureClass::infrastructure, .kind = kind, .message = message};
  faulty_.emplace(device, failure);
  if (Flow* f = flow_of(device); f != nullptr && !f->done) fail(*f, failure);
}

std::string ScenarioRun::barrier_group(const Flow& f) const {
  const auto& outage = std::get<OutageStep>(scenario_.steps[f.step].action);
  return outage.segments.empty() ? f.device().segment : "*";
}

// A flow finished, failed or reached a barrier: maybe a barrier opens or the repeat ends.
void ScenarioRun::after_flow_change() {
  if (barrier_busy_ || stopping_) return;
  std::set<std::string> waiting;  // barrier groups with a flow waiting
  bool any_running = false;
  for (const auto& f : flows_) {
    if (f->done) continue;
    if (f->at_barrier) {
      waiting.insert(barrier_group(*f));
    } else {
      any_running = true;
    }
  }
  for (const std::string& group : waiting) {
    // A group opens once every flow that belongs to it waits at this very step.
    const auto leader = std::find_if(flows_.begin(), flows_.end(), [&](const auto& f) {
      return !f->done && f->at_barrier && barrier_group(*f) == group;
    });
    const std::size_t step = (*leader)->step;
    const bool complete = std::all_of(flows_.begin(), flows_.end(), [&](const auto& f) {
      if (f->done || (group != "*" && f->device().segment != group)) return true;
      return f->at_barrier && f->step == step;
    });
    if (complete) {
      clock_->post([this, group] { release_barrier(group); });
      return;
    }
  }
  if (!any_running && waiting.empty()) clock_->post([this] { end_repeat(); });
}

// Every flow of the group has reached the same shared step: run it once for its segments.
void ScenarioRun::release_barrier(const std::string& group) {
  if (barrier_busy_ || stopping_) return;
  std::vector<Flow*> waiting;
  for (auto& f : flows_) {
    if (!f->done && f->at_barrier && barrier_group(*f) == group) waiting.push_back(f.get());
  }
  if (waiting.empty()) return;
  barrier_busy_ = true;
  const Step& step = scenario_.steps[waiting.front()->step];
  const auto& outage = std::get<OutageStep>(step.action);
  std::vector<std::string> segments = outage.segments;
  if (segments.empty() && !group.empty()) segments.push_back(group);
  timeline_.record(EventKind::step, "", ev::step::kStart, {{"index", step.index}, {"step", step.label()}});
  auto faults = std::make_shared<std::map<std::string, std::string>>();
  auto join = std::make_shared<Join>(segments.size(), [this, waiting, faults, &step] {
    barrier_busy_ = false;
    timeline_.record(EventKind::step, "", ev::step::kEnd,
                     {{"index", step.index}, {"result", faults->empty() ? "pass" : "error"}});
    for (Flow* f : waiting) {
      if (f->done) continue;
      f->at_barrier = false;
      if (const auto it = faults->find(f->device().segment); it != faults->end()) {
        fail(*f, Failure{.cls = FailureClass::infrastructure, .kind = "outage", .message = it->second});
        continue;
      }
      timeline_.record(EventKind::step, f->name(), ev::step::kEnd,
                       {{"index", step.index}, {"result", "pass"}});
      ++f->step;
      clock_->post([this, f] { advance(*f); });
    }
    after_flow_change();
  });
  for (const std::string& segment : segments) {
    std::vector<std::string> devices;  // whose verdicts rest on this outage
    for (Flow* f : waiting) {
      if (f->device().segment == segment) devices.push_back(f->name());
    }
    outages_.apply(segment, outage, devices, [join, faults, segment](const Status& status) {
      if (!status.ok()) (*faults)[segment] = status.message();
      join->arrive();
    });
  }
}

void ScenarioRun::end_repeat() {
  if (stopping_) return;
  for (auto& f : flows_) {
    if (!f->done) return;
  }
  const Instant ended = clock_->now();
  outages_.lift_all([this, ended](const std::vector<std::string>& faults) {
    for (const std::string& fault : faults) {
      timeline_.record(EventKind::failure, "", "outage_not_lifted",
                       {{"class", "infrastructure"}, {"message", fault}});
    }
    close_repeat(ended);
    // Nothing can ask about times before the oldest repeat whose samples are still to be taken.
    timeline_.forget_before(std::min(measurements_.needed_from(), repeat_started_));
    if (results_ && std::chrono::steady_clock::now() - summary_written_ >= kSummaryEvery) {
      summary_written_ = std::chrono::steady_clock::now();
      try {
        results_->write_summary(fold_.result());
      } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
      }
    }
    if (repeat_ < scenario_.repeat && !stopping_) {
      begin_repeat(repeat_ + 1);
    } else {
      finish_run();
    }
  });
}

void ScenarioRun::close_repeat(Instant ended) {
  if (!repeat_open_) return;
  repeat_open_ = false;
  timeline_.record(EventKind::run, "", ev::run::kRepeatEnd, {{"repeat", repeat_}});
  measurements_.repeat_ended(repeat_, repeat_started_, ended);
}

// Every exit path ends here: outages lifted, relays in the safe state, observers closed.
void ScenarioRun::finish_run() {
  if (finishing_) return;
  finishing_ = true;
  stopping_ = true;
  outages_.lift_all([this](const std::vector<std::string>& faults) {
    for (const std::string& fault : faults) {
      timeline_.record(EventKind::failure, "", "outage_not_lifted",
                       {{"class", "infrastructure"}, {"message", fault}});
    }
    power_.drive_safe(backends_.devices, [this] {
      observers_.close();
      measurements_.finish();
      timeline_.record(EventKind::run, "", ev::run::kEnd);
      clock_->stop();
    });
  });
}

void ScenarioRun::abort_run(FailureClass cls, const std::string& kind, const std::string& message) {
  if (finishing_) return;
  stopping_ = true;
  timeline_.record(EventKind::failure, "", kind, {{"class", to_string(cls)}, {"message", message}});
  for (auto& f : flows_) fail(*f, Failure{.cls = cls, .kind = kind, .message = message});
  close_repeat(clock_->now());
  finish_run();
}

}  // namespace cyanrig
