#include "rig/engine/outage_coordinator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "rig/core/duration_text.hpp"
#include "rig/engine/join.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// Device OS events, LED states and cloud statuses that say a device lost the cloud or the network:
// evidence that an outage reached it.
constexpr std::array kLossReports = {
    devos_event("cloud_socket_failed"),  devos_event("cloud_handshake_failed"),
    devos_event("cloud_disconnected"),   devos_event("cloud_error"),
    devos_event("internet_test_failed"), devos_event("cloud_unreachable"),
    devos_event("dns_failed"),           devos_event("network_link_down"),
};
constexpr std::string_view kCloudErrorFlash = led_state("cloud_error");

// The cloud lists the device online or offline (spark/status).
bool cloud_lists(const Event& e, std::string_view status) {
  return e.kind == EventKind::cloud && e.name == ev::cloud::kSparkStatus && e.data.is_object() &&
         e.data.value("status", "") == status;
}

bool reports_loss(const Event& e) {
  switch (e.kind) {
    case EventKind::devos:
      return std::find(kLossReports.begin(), kLossReports.end(), e.name) != kLossReports.end();
    case EventKind::led:
      return e.name == kCloudErrorFlash;
    case EventKind::cloud:
      return cloud_lists(e, "offline");
    default:
      return false;
  }
}

}  // namespace

OutageCoordinator::OutageCoordinator(RunContext& run, BackendCalls& calls, RigBackends& backends, Blame blame)
    : run_(run), calls_(calls), backends_(backends), blame_(std::move(blame)) {
  for (auto& [name, seg] : backends_.segments) {
    for (OutageBackend& b : seg.backends) {
      if (!b.outage) continue;
      b.outage->watch([this, name = name, backend = &b](const OutageEffect& effect) {
        run_.clock.post([this, name, backend, effect] {
          const auto it = in_force_.find(name);
          if (it == in_force_.end() || it->second.backend != backend) return;
          evidence(name, effect.device, effect.evidence);
        });
      });
    }
  }
  watch_device_reports();
}

bool OutageCoordinator::any_in_force() const {
  return !in_force_.empty();
}

void OutageCoordinator::watch_device_reports() {
  run_.timeline.subscribe([this](const Event& e) {
    if (e.device.empty()) return;
    if (e.kind == EventKind::power && e.name == ev::power::kOff) cut_since_online_.insert(e.device);
    if (cloud_lists(e, "online")) cut_since_online_.erase(e.device);
    if (!reports_loss(e)) return;
    // The cloud lists offline a device whose power the rig cut since it was last online: the cut
    // explains that (the cloud ends the session the device left, at the latest when the device
    // comes back with a new one), whether or not an outage is in force. What the device does after
    // power returns (a connection refused, a handshake timing out) is its own report and counts.
    if (e.kind == EventKind::cloud && cut_since_online_.count(e.device) != 0) return;
    const RackDevice* d = run_.rack.find_device(e.device);
    if (d == nullptr || d->segment.empty()) return;
    const auto it = in_force_.find(d->segment);
    if (it == in_force_.end() || it->second.proven.count(e.device) != 0) return;
    run_.clock.post([this, segment = d->segment, device = e.device,
                     what = fmt::format("the device reported {} {}", to_string(e.kind), e.name)] {
      evidence(segment, device, what);
    });
  });
}

void OutageCoordinator::sweep(std::function<void()> then) {
  std::vector<std::pair<std::string, OutageBackend*>> all;
  for (auto& [name, seg] : backends_.segments) {
    for (OutageBackend& b : seg.backends) {
      if (b.outage) all.emplace_back(name, &b);
    }
  }
  auto join = std::make_shared<Join>(all.size(), std::move(then));
  for (auto [name, b] : all) {
    b->outage->sweep(
        [this, join, name = name](const Status& fault, const std::optional<std::string>& removed) {
          if (removed) {
            spdlog::warn("segment {}: {}", name, *removed);
            run_.timeline.record(EventKind::outage, "", ev::outage::kLeftoverRemoved,
                                 {{"segment", name}, {"message", *removed}});
          }
          if (!fault.ok())
            spdlog::warn("segment {}: could not look for a leftover outage: {}", name, fault.message());
          join->arrive();
        });
  }
}

void OutageCoordinator::apply(const std::string& segment, const OutageStep& step,
                              const std::vector<std::string>& devices,
                              std::function<void(const Status&)> done) {
  SegmentBackends& seg = backends_.segments.at(segment);
  if (!step.start) {
    stop(seg, std::move(done));
    return;
  }
  const auto it = std::find_if(seg.backends.begin(), seg.backends.end(),
                               [&](const OutageBackend& b) { return b.performs(step.spec.mode); });
  if (it == seg.backends.end()) {
    done(fault(
        fmt::format("segment {}: no outage backend performs mode {}", segment, to_string(step.spec.mode))));
    return;
  }
  OutageBackend& backend = *it;
  if (backend.setup_failure) {
    done(fault(*backend.setup_failure));
    return;
  }
  // A new outage replaces the one in force; another backend's must be lifted first.
  const auto current = in_force_.find(segment);
  if (current != in_force_.end() && current->second.backend != &backend) {
    stop(seg, [this, &seg, &backend, spec = step.spec, devices,
               done = std::move(done)](const Status& status) mutable {
      if (!status.ok()) {
        done(status);
        return;
      }
      start(seg, backend, spec, devices, std::move(done));
    });
    return;
  }
  if (current != in_force_.end()) conclude(segment);
  start(seg, backend, step.spec, devices, std::move(done));
}

void OutageCoordinator::start(SegmentBackends& seg, OutageBackend& backend, const OutageSpec& spec,
                              const std::vector<std::string>& devices,
                              std::function<void(const Status&)> done) {
  backend.started = true;
  const std::string name = seg.segment->name;
  calls_.ask(
      backend.outage->describe(),
      [&backend, spec](Done reply) { backend.outage->start(spec, std::move(reply)); },
      [this, &seg, &backend, name, spec, devices, done = std::move(done)](const Status& status) {
        if (!status.ok()) {
          const std::string message = fmt::format("segment {}: {}", name, status.message());
          run_.timeline.record(EventKind::outage, "", ev::outage::kError,
                               {{"segment", name}, {"message", message}});
          done(fault(message));
          return;
        }
        nlohmann::json data = {{"segment", name},
                               {"mode", to_string(spec.mode)},
                               {"backend", backend.spec->backend},
                               {"outage", describe(spec)},
                               {"devices", devices}};
        if (spec.mode != OutageMode::impair && spec.mode != OutageMode::link)
          data["action"] = to_string(spec.action);
        InForce& f = in_force_[name];
        f = InForce{};
        f.backend = &backend;
        f.spec = spec;
        f.started = run_.clock.now();
        f.devices = devices;
        f.generation = ++next_generation_;
        run_.timeline.record(EventKind::outage, "", ev::outage::kStart, data);
        for (const std::string& device : devices) {
          f.deadlines[device] = run_.clock.after(deadline_for(*seg.segment, device), [this, name, device] {
            InForce& in = in_force_.at(name);
            in.deadlines.erase(device);
            const std::string message = fmt::format(
                "segment {}: the {} outage showed no effect on {} within {}: none of its traffic was seen "
                "stopped and it reported no loss (is the rack's outage backend really between the device and "
                "the cloud?)",
                name, describe(in.spec), device, format_elapsed(run_.clock.now() - in.started));
            run_.timeline.record(EventKind::outage, device, ev::outage::kNotEffective,
                                 {{"segment", name}, {"message", message}});
            in.proven.insert(device);  // said once: not again as unproven when it is lifted
            blame_(device, Failure{.cls = FailureClass::infrastructure,
                                   .kind = "outage_not_effective",
                                   .message = message});
          });
        }
        f.next_hold = run_.clock.after(kOutageHoldPeriod, [this, name, g = f.generation] { hold(name, g); });
        done(Status{});
      });
}

Duration OutageCoordinator::deadline_for(const Segment& segment, const std::string& device) const {
  const RackDevice* d = run_.rack.find_device(device);
  if (d == nullptr || d->platform == nullptr) return segment.effect_within;
  return std::max(segment.effect_within, d->platform->loss_detection() + 1min);
}

void OutageCoordinator::evidence(const std::string& segment, const std::string& device,
                                 const std::string& what) {
  const auto it = in_force_.find(segment);
  if (it == in_force_.end()) return;
  InForce& f = it->second;
  if (device.empty()) {
    if (f.whole_segment) return;
    f.whole_segment = true;
    f.deadlines.clear();
  } else {
    if (!f.proven.insert(device).second) return;
    f.deadlines.erase(device);
  }
  run_.timeline.record(EventKind::outage, device, ev::outage::kEffective,
                       {{"segment", segment}, {"evidence", what}});
}

void OutageCoordinator::hold(const std::string& segment, std::uint64_t generation) {
  const auto it = in_force_.find(segment);
  if (it == in_force_.end() || it->second.generation != generation || it->second.lost) return;
  OutageBackend& backend = *it->second.backend;
  calls_.ask(
      backend.outage->describe(), [&backend](Done reply) { backend.outage->hold(std::move(reply)); },
      [this, segment, generation](const Status& status) {
        const auto here = in_force_.find(segment);
        if (here == in_force_.end() || here->second.generation != generation) return;
        InForce& f = here->second;
        if (status.ok()) {
          f.next_hold =
              run_.clock.after(kOutageHoldPeriod, [this, segment, generation] { hold(segment, generation); });
          return;
        }
        f.lost = true;
        f.deadlines.clear();
        const std::string message = fmt::format(
            "segment {}: the {} outage is no longer in force as it was started ({}); what the devices did "
            "after "
            "{} says nothing about recovering from it",
            segment, describe(f.spec), status.message(), format_elapsed(run_.clock.now() - f.started));
        run_.timeline.record(EventKind::outage, "", ev::outage::kLost,
                             {{"segment", segment}, {"message", message}});
        for (const std::string& device : f.devices)
          blame_(device,
                 Failure{.cls = FailureClass::infrastructure, .kind = "outage_lost", .message = message});
      });
}

void OutageCoordinator::conclude(const std::string& segment) {
  const auto it = in_force_.find(segment);
  if (it == in_force_.end()) return;
  InForce f = std::move(it->second);
  in_force_.erase(it);
  if (f.lost || f.whole_segment) return;
  for (const std::string& device : f.devices) {
    if (f.proven.count(device) != 0) continue;
    const RackDevice* d = run_.rack.find_device(device);
    std::string hint;
    if (d != nullptr && d->platform != nullptr &&
        run_.clock.now() - f.started < d->platform->loss_detection()) {
      hint = fmt::format(" (a {} notices a silent outage only after ~{}: make the outage longer for it)",
                         d->platform->name, format_duration(d->platform->loss_detection()));
    }
    const std::string message = fmt::format(
        "segment {}: the {} outage ended after {} without any sign that it reached {}: none of its traffic "
        "was "
        "seen stopped and it reported no loss{}",
        segment, describe(f.spec), format_elapsed(run_.clock.now() - f.started), device, hint);
    run_.timeline.record(EventKind::outage, device, ev::outage::kUnproven,
                         {{"segment", segment}, {"message", message}});
    blame_(device,
           Failure{.cls = FailureClass::infrastructure, .kind = "outage_unproven", .message = message});
  }
}

void OutageCoordinator::stop(SegmentBackends& seg, std::function<void(const Status&)> done) {
  const std::string name = seg.segment->name;
  conclude(name);
  std::vector<OutageBackend*> lifting;
  for (OutageBackend& b : seg.backends) {
    if (b.outage && (b.started || b.outage->active())) lifting.push_back(&b);
  }
  auto faults = std::make_shared<std::vector<std::string>>();
  auto join = std::make_shared<Join>(lifting.size(), [this, name, faults, done = std::move(done)] {
    if (faults->empty()) {
      run_.timeline.record(EventKind::outage, "", ev::outage::kStop, {{"segment", name}});
      done(Status{});
      return;
    }
    const std::string message = fmt::format("segment {}: {}", name, fmt::join(*faults, "; "));
    run_.timeline.record(EventKind::outage, "", ev::outage::kError,
                         {{"segment", name}, {"message", message}});
    done(fault(message));
  });
  for (OutageBackend* b : lifting) {
    calls_.ask(
        b->outage->describe(), [b](Done reply) { b->outage->stop(std::move(reply)); },
        [b, faults, join](const Status& status) {
          if (!status.ok()) {
            faults->push_back(status.message());
          } else {
            b->started = false;  // lifted: nothing left to clean up
          }
          join->arrive();
        });
  }
}

void OutageCoordinator::lift_all(std::function<void(std::vector<std::string> faults)> then) {
  std::vector<SegmentBackends*> active;
  for (auto& [name, seg] : backends_.segments) {
    const bool any = in_force_.count(name) != 0 ||
                     std::any_of(seg.backends.begin(), seg.backends.end(), [](const OutageBackend& b) {
                       return b.outage && (b.started || b.outage->active());
                     });
    if (any) active.push_back(&seg);
  }
  auto faults = std::make_shared<std::vector<std::string>>();
  auto join = std::make_shared<Join>(active.size(), [faults, then = std::move(then)] { then(*faults); });
  for (SegmentBackends* seg : active) {
    stop(*seg, [faults, join](const Status& status) {
      if (!status.ok()) faults->push_back(status.message());
      join->arrive();
    });
  }
}

}  // namespace cyanrig
