// Building a run's backends from the rack file, through the registry the caller hands in: each
// selected device's power switch, serial port and colour sensor, each segment's outage backends and
// the rack's cloud. A backend that cannot be built is not an exception: it is a setup failure that
// fails every case of its device (or every outage on its segment) as an infrastructure error.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

struct DeviceBackends {
  const RackDevice* device = nullptr;
  bool selected = false;  // the scenario runs on it (others only get their power driven safe)
  std::unique_ptr<PowerSwitch> power;
  std::unique_ptr<SerialPort> serial;
  std::unique_ptr<ColourSensor> led;
  std::unique_ptr<DfuFlasher> dfu;           // from its serial backend, when a recover step flashes over DFU
  std::optional<std::string> setup_failure;  // "argon-1: cannot open /dev/ttyACM0: ..."
};

struct OutageBackend {
  const BackendSpec* spec = nullptr;
  std::unique_ptr<OutageSwitch> outage;
  std::vector<OutageMode> modes;  // what it performs (BackendFactory::modes)
  std::optional<std::string> setup_failure;
  bool started = false;  // an outage was started on it this run (so it must be lifted)

  bool performs(OutageMode mode) const;
};

struct SegmentBackends {
  const Segment* segment = nullptr;
  std::vector<OutageBackend> backends;
};

struct RigBackends {
  std::vector<std::unique_ptr<DeviceBackends>> devices;  // rack order
  std::map<std::string, SegmentBackends> segments;
  std::unique_ptr<Cloud> cloud;
  std::optional<std::string> cloud_failure;

  DeviceBackends* device(const std::string& name);
};

// `selected`: the devices the scenario runs on, in rack order (Scenario::select, less any under
// maintenance).
RigBackends build_backends(const Rack& rack, const std::vector<const RackDevice*>& selected,
                           const BackendRegistry& registry, BackendContext& context);

}  // namespace cyanrig
