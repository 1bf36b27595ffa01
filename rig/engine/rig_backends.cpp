#include "rig/engine/rig_backends.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "rig/rack/rack_file.hpp"

namespace cyanrig {
namespace {

template <typename Capability>
std::unique_ptr<Capability> build(const BackendRegistry& registry, BackendContext& context,
                                  const BackendSite& site, std::string& error) {
  const auto* factory = registry.find<Capability>(site.spec.backend);
  if (factory == nullptr || !factory->create) {
    error = fmt::format("no backend '{}' in this build", site.spec.backend);
    return nullptr;
  }
  try {
    return factory->create(site, context);
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

}  // namespace

bool OutageBackend::performs(OutageMode mode) const {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

DeviceBackends* RigBackends::device(const std::string& name) {
  for (auto& d : devices) {
    if (d->device->name == name) return d.get();
  }
  return nullptr;
}

RigBackends build_backends(const Rack& rack, const std::vector<const RackDevice*>& selected,
                           const BackendRegistry& registry, BackendContext& context) {
  RigBackends out;
  for (const Segment& seg : rack.segments) {
    SegmentBackends& s = out.segments[seg.name];
    s.segment = &seg;
    s.backends.reserve(seg.outages.size());
    for (const BackendSpec& spec : seg.outages) {
      OutageBackend& b = s.backends.emplace_back();
      b.spec = &spec;
      b.modes = outage_modes(spec, seg, registry);
      std::string error;
      b.outage = build<OutageSwitch>(registry, context, {spec, nullptr, &seg}, error);
      if (!b.outage)
        b.setup_failure = fmt::format("segment {}: {} outage backend: {}", seg.name, spec.backend, error);
    }
  }
  if (rack.cloud) {
    std::string error;
    out.cloud = build<Cloud>(registry, context, {*rack.cloud}, error);
    if (!out.cloud) out.cloud_failure = fmt::format("cloud: {}", error);
  }
  for (const RackDevice& d : rack.devices) {
    auto slot = std::make_unique<DeviceBackends>();
    slot->device = &d;
    slot->selected = std::find(selected.begin(), selected.end(), &d) != selected.end();
    std::vector<std::string> errors;
    const auto make = [&]<typename Capability>(const std::optional<BackendSpec>& spec,
                                               std::unique_ptr<Capability>& built) {
      if (!spec) return;
      std::string error;
      built = build<Capability>(registry, context, {*spec, &d}, error);
      if (!built) errors.push_back(error);
    };
    make(d.power, slot->power);
    if (slot->selected) {
      make(d.serial, slot->serial);
      make(d.led, slot->led);
      const bool flashes = std::any_of(d.recover.begin(), d.recover.end(), [](const RecoverStep& step) {
        return step.kind == RecoverStep::Kind::dfu_flash;
      });
      if (flashes) make(d.serial, slot->dfu);
      if (!errors.empty()) slot->setup_failure = fmt::format("{}: {}", d.name, errors.front());
    }
    out.devices.push_back(std::move(slot));
  }
  return out;
}

}  // namespace cyanrig
