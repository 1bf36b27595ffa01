#include "rig/engine/power_sequencer.hpp"

#include <fmt/format.h>

#include <memory>

#include "rig/core/duration_text.hpp"
#include "rig/engine/join.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {

void PowerSequencer::set(DeviceBackends& device, PowerState state, std::function<void(const Status&)> done) {
  DeviceState& s = state_[device.device];
  s.delayed_on.cancel();
  if (state == PowerState::off) {
    switch_now(device, state, std::move(done));
    return;
  }
  const Instant now = run_.clock.now();
  Instant at = now;
  std::string reason;
  if (s.last_off) {
    const Duration min_off = device.device->min_off.value_or(run_.rack.min_off);
    if (*s.last_off + min_off > at) {
      at = *s.last_off + min_off;
      reason = fmt::format("min_off {}", format_duration(min_off));
    }
  }
  if (next_power_on_ > at) {
    at = next_power_on_;
    reason = fmt::format("on_spacing {}", format_duration(run_.rack.power_on_spacing));
  }
  next_power_on_ = at + run_.rack.power_on_spacing;
  if (at == now) {
    switch_now(device, state, std::move(done));
    return;
  }
  run_.timeline.record(EventKind::note, device.device->name, ev::note::kPowerOnDelayed,
                       {{"by_ms", to_ms(at - now)}, {"reason", reason}});
  s.delayed_on = run_.clock.at(at, [this, &device, state, done = std::move(done)]() mutable {
    switch_now(device, state, std::move(done));
  });
}

void PowerSequencer::switch_now(DeviceBackends& device, PowerState state,
                                std::function<void(const Status&)> done) {
  calls_.ask(
      device.power->describe(), [&device, state](Done reply) { device.power->set(state, std::move(reply)); },
      [this, &device, state, done = std::move(done)](const Status& status) {
        if (!status.ok()) {
          run_.timeline.record(EventKind::power, device.device->name, ev::power::kError,
                               {{"state", to_string(state)}, {"message", status.message()}});
        } else {
          if (state == PowerState::off) state_[device.device].last_off = run_.clock.now();
          run_.timeline.record(EventKind::power, device.device->name,
                               state == PowerState::on ? ev::power::kOn : ev::power::kOff);
        }
        done(status);
      });
}

void PowerSequencer::drive_safe(std::vector<std::unique_ptr<DeviceBackends>>& devices,
                                std::function<void()> then) {
  std::vector<DeviceBackends*> powered;
  for (auto& d : devices) {
    if (d->power) powered.push_back(d.get());
  }
  auto join = std::make_shared<Join>(powered.size(), std::move(then));
  for (DeviceBackends* d : powered) {
    set(*d, run_.rack.safe_power, [join](const Status&) { join->arrive(); });
  }
}

}  // namespace cyanrig
