#include "rig/engine/device_observers.hpp"

#include <fmt/format.h>

#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"
#include "rig/results/rounding.hpp"

namespace cyanrig {

DeviceObservers::DeviceObservers(RunContext& run, RigBackends& backends, Fault on_fault)
    : run_(run), backends_(backends), on_fault_(std::move(on_fault)) {
  for (const EventPattern& p : run.rack.patterns) parser_.add_pattern(p.regex, p.event);
  for (const EventPattern& p : run.scenario.patterns) parser_.add_pattern(p.regex, p.event);
  for (auto& b : backends_.devices) {
    if (!b->selected) continue;
    auto d = std::make_unique<Device>();
    d->backends = b.get();
    // Colours are named through the slot's calibration (docs/led.md); the samples come raw.
    if (b->led) d->decoder = LedDecoder({.colour_correction = b->led->colour_correction()});
    devices_.emplace(b->device->name, std::move(d));
  }
}

void DeviceObservers::start() {
  for (auto& [name, device] : devices_) {
    Device* d = device.get();
    DeviceBackends& b = *d->backends;
    if (b.serial) {
      b.serial->open(
          {.on_bytes = [this, d](Instant arrival, std::string_view bytes) { on_serial(*d, arrival, bytes); },
           .on_link = [this, d](bool attached,
                                const std::string& detail) { on_serial_link(*d, attached, detail); },
           .on_fault =
               [this, d](const HardwareFault& f) {
                 on_fault_(d->backends->device->name, "serial",
                           fmt::format("{}: serial port {}: {}", d->backends->device->name,
                                       d->backends->serial->describe(), f.message));
               }});
    }
    if (b.led) {
      b.led->start({.on_samples =
                        [this, d](std::span<const RgbSample> samples) {
                          for (const LedStateChange& c : d->decoder.feed(samples)) record_led(*d, c);
                        },
                    .on_fault =
                        [this, d](const HardwareFault& f) {
                          on_fault_(d->backends->device->name, "led_sensor",
                                    fmt::format("{}: LED sensor {}: {}", d->backends->device->name,
                                                d->backends->led->describe(), f.message));
                        }});
    }
  }
  if (backends_.cloud) {
    backends_.cloud->subscribe(CloudListener([this](const CloudEvent& e) { on_cloud_event(e); },
                                             [this](const CloudStreamState& s) { on_cloud_stream(s); }));
  }
}

void DeviceObservers::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& [name, d] : devices_) {
    if (d->backends->serial) d->backends->serial->close();
    if (d->backends->led) d->backends->led->stop();
    d->idle_flush.cancel();
    if (auto line = d->framer.flush()) record_line(*d, *line);
    for (const LedStateChange& c : d->decoder.finish()) record_led(*d, c);
  }
}

void DeviceObservers::on_serial(Device& d, Instant arrival, std::string_view bytes) {
  for (SerialLine& line : d.framer.feed(arrival, bytes)) record_line(d, line);
  if (d.framer.pending()) {
    d.idle_flush = run_.clock.after(d.framer.options().idle_flush, [this, &d] {
      if (auto line = d.framer.flush_idle(run_.clock.now())) record_line(d, *line);
    });
  }
}

void DeviceObservers::on_serial_link(Device& d, bool attached, const std::string& detail) {
  if (!attached) {
    if (auto line = d.framer.flush()) record_line(d, *line);
  }
  run_.timeline.record(EventKind::serial_link, d.backends->device->name,
                       attached ? ev::serial::kAttached : ev::serial::kDetached,
                       detail.empty() ? nlohmann::json(nullptr) : nlohmann::json{{"detail", detail}});
}

void DeviceObservers::record_line(Device& d, const SerialLine& line) {
  // since_ms: the host arrival time of the line's first byte (Event::began).
  nlohmann::json data = {{"line", line.text}, {"since_ms", rounded(ms_since_start(line.t), kMsDecimals)}};
  if (line.partial) data["partial"] = true;
  const auto parsed = parser_.parse(line.text);
  if (parsed && parsed->device_ms) data["device_ms"] = *parsed->device_ms;
  const std::string& device = d.backends->device->name;
  run_.timeline.record(EventKind::serial, device, ev::serial::kLine, std::move(data));
  if (parsed) {
    nlohmann::json fields = parsed->fields.is_object() ? parsed->fields : nlohmann::json::object();
    if (parsed->device_ms) fields["device_ms"] = *parsed->device_ms;
    run_.timeline.record(EventKind::devos, device, parsed->name, std::move(fields));
  }
}

void DeviceObservers::record_led(Device& d, const LedStateChange& c) {
  nlohmann::json data = {{"since_ms", rounded(ms_since_start(c.start), kMsDecimals)}};
  if (c.code) data["code"] = *c.code;
  if (c.colour) data["color"] = *c.colour;
  if (c.count) data["count"] = *c.count;
  if (c.rgb) data["rgb"] = {c.rgb->r, c.rgb->g, c.rgb->b};
  if (c.period) data["period_ms"] = to_ms(*c.period);
  run_.timeline.record(EventKind::led, d.backends->device->name, c.state, std::move(data));
}

void DeviceObservers::on_cloud_event(const CloudEvent& e) {
  if (!e.device) return;
  const RackDevice* d = run_.rack.find_device(e.device->str());
  if (d == nullptr) return;  // another device on the same account
  nlohmann::json data = {{"data", e.data}, {"published_at", e.published_at}};
  if (e.name == ev::cloud::kSparkStatus) data["status"] = trimmed(e.data);
  run_.timeline.record(EventKind::cloud, d->name, e.name, std::move(data));
}

void DeviceObservers::on_cloud_stream(const CloudStreamState& state) {
  if (state.open) {
    run_.timeline.record(EventKind::cloud, "", ev::cloud::kStreamOpen);
    return;
  }
  run_.timeline.record(EventKind::cloud, "", ev::cloud::kStreamDown,
                       {{"error", to_string(state.problem.error)},
                        {"http_status", state.problem.http_status},
                        {"message", state.problem.message}});
}

}  // namespace cyanrig
