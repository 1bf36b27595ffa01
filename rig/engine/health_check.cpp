#include "rig/engine/health_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "rig/core/duration_text.hpp"
#include "rig/engine/join.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

constexpr std::string_view kOff = led_state("off");

std::string last_serial_problem(const Timeline& timeline, const std::string& device) {
  const auto& links = timeline.events_of(device, EventKind::serial_link);
  const auto detached = std::find_if(links.rbegin(), links.rend(), [](const Event& e) {
    return e.name == ev::serial::kDetached && e.data.is_object();
  });
  return detached == links.rend() ? "" : detached->data.value("detail", "");
}

}  // namespace

// What one device's check is waiting for.
struct HealthCheck::Attempt {
  bool serial_seen = false;
  bool led_seen = false;
  bool finished = false;
  Timer deadline;
  Timeline::ListenerId listener = 0;
};

void HealthCheck::check(std::vector<DeviceBackends*> devices, std::function<void(Unhealthy)> then) {
  auto unhealthy = std::make_shared<Unhealthy>();
  auto join =
      std::make_shared<Join>(devices.size(), [unhealthy, then = std::move(then)] { then(*unhealthy); });
  for (DeviceBackends* d : devices) {
    try_device(*d, 0, "", [this, d, unhealthy, join](const std::string& why) {
      run_.timeline.record(EventKind::run, d->device->name, ev::run::kHealth,
                           why.empty() ? nlohmann::json{{"healthy", true}}
                                       : nlohmann::json{{"healthy", false}, {"message", why}});
      if (!why.empty()) (*unhealthy)[d->device->name] = why;
      join->arrive();
    });
  }
}

void HealthCheck::try_device(DeviceBackends& d, std::size_t recover_index, std::string tried, Finished done) {
  watch(d, [this, &d, recover_index, tried = std::move(tried),
            done = std::move(done)](const std::string& why) {
    const auto& recover = d.device->recover;
    if (why.empty() || recover_index >= recover.size()) {
      done(why.empty() || tried.empty() ? why : fmt::format("{}; recover steps tried: {}", why, tried));
      return;
    }
    const auto next = [this, &d, recover_index, tried, done](const std::string& outcome) {
      try_device(d, recover_index + 1, tried.empty() ? outcome : fmt::format("{}, {}", tried, outcome), done);
    };
    const RecoverStep& step = recover[recover_index];
    if (step.kind == RecoverStep::Kind::dfu_flash) {
      flash(d, step, why, next);
      return;
    }
    if (!d.power) {  // the rack reader refuses power_cycle without a power backend
      next("power_cycle (no power switch)");
      return;
    }
    run_.timeline.record(EventKind::note, d.device->name, ev::note::kRecover,
                         {{"step", "power_cycle"}, {"why", why}});
    power_.set(d, PowerState::off, [next](const Status& status) {
      next(status.ok() ? "power_cycle" : fmt::format("power_cycle (failed: {})", status.message()));
    });
  });
}

void HealthCheck::flash(DeviceBackends& d, const RecoverStep& step, const std::string& why,
                        std::function<void(std::string outcome)> next) {
  const std::string name = d.device->name;
  const nlohmann::json about = {{"step", "dfu_flash"},
                                {"file", step.image.file},
                                {"address", fmt::format("0x{:08x}", step.image.address)}};
  nlohmann::json begins = about;
  begins["why"] = why;
  run_.timeline.record(EventKind::note, name, ev::note::kRecover, std::move(begins));
  const auto finish = [this, name, about, next = std::move(next)](const Status& status) {
    nlohmann::json ends = about;
    ends["result"] = status.ok() ? "flashed" : "failed";
    if (!status.ok()) ends["message"] = fmt::format("{}: {}", name, status.message());
    run_.timeline.record(EventKind::note, name, ev::note::kRecoverResult, std::move(ends));
    next(status.ok() ? "dfu_flash" : fmt::format("dfu_flash (failed: {})", status.message()));
  };
  if (!d.dfu) {  // its serial backend could not build one: a setup failure, said there
    finish(fault("no DFU flasher for its serial backend"));
    return;
  }
  calls_.ask(
      d.dfu->describe(),
      [this, &d, image = step.image, wait = step.wait, name](Done reply) {
        d.dfu->flash(
            image, wait,
            {.on_action =
                 [this, name](const std::string& action) {
                   run_.timeline.record(EventKind::note, name, ev::note::kDfuAction, {{"action", action}});
                 },
             .on_done = std::move(reply)});
      },
      finish, step.wait + kDfuWriteLimit + kBackendAnswerLimit);
}

void HealthCheck::watch(DeviceBackends& d, std::function<void(std::string why)> done) {
  auto attempt = std::make_shared<Attempt>();
  attempt->serial_seen = !d.serial;
  attempt->led_seen = !d.led;
  const std::string name = d.device->name;
  // Ends the attempt once: with "" when everything was seen, else with why not.
  auto end = [this, attempt, done = std::move(done)](const std::string& why) {
    if (attempt->finished) return;
    attempt->finished = true;
    attempt->deadline.cancel();
    run_.timeline.unsubscribe(attempt->listener);
    done(why);
  };
  auto seen_all = [attempt, end] {
    if (attempt->serial_seen && attempt->led_seen) end("");
  };
  attempt->listener = run_.timeline.subscribe([attempt, name, seen_all](const Event& e) {
    if (e.device != name) return;
    if (e.kind == EventKind::serial) attempt->serial_seen = true;
    if (e.kind == EventKind::led && e.name != kOff) attempt->led_seen = true;
    seen_all();
  });
  attempt->deadline = run_.clock.after(kHealthLimit, [this, attempt, &d, name, end] {
    std::vector<std::string> missing;
    if (!attempt->serial_seen) {
      const std::string problem = last_serial_problem(run_.timeline, name);
      missing.push_back(fmt::format("no serial line from {}{}", d.serial->describe(),
                                    problem.empty() ? "" : fmt::format(" ({})", problem)));
    }
    if (!attempt->led_seen) missing.push_back(fmt::format("no light on {}", d.led->describe()));
    end(fmt::format("{}: unhealthy: switched on, but {} within {}", name, fmt::join(missing, ", and "),
                    format_duration(kHealthLimit)));
  });
  if (!d.power) {
    run_.clock.post(seen_all);
    return;
  }
  power_.set(d, PowerState::on, [name, end, seen_all](const Status& status) {
    if (!status.ok()) {
      end(fmt::format("{}: unhealthy: could not switch it on: {}", name, status.message()));
      return;
    }
    seen_all();
  });
}

}  // namespace cyanrig
