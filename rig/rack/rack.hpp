// The physical (or simulated) rack as described by a rack file: devices, how to reach each one's
// power, serial port and LED sensor, the network segments and their outage backend, the cloud.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "rig/capabilities/dfu_flasher.hpp"
#include "rig/capabilities/power.hpp"
#include "rig/core/device_id.hpp"
#include "rig/core/diagnostic.hpp"
#include "rig/core/platform.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// "Which backend, with which parameters": the parameters stay YAML so each backend reads its own
// and reports its own mistakes with the file position.
struct BackendSpec {
  std::string backend;  // "sim", "gpiod", "command", "tty", ...
  YAML::Node params;    // the whole mapping, including the `backend` key
  SourceLoc loc;
};

// A fault model for a simulated device: fires with `probability` at each opportunity.
struct FaultSpec {
  std::string name;
  double probability = 1.0;
  YAML::Node params;  // extra parameters, or null
  SourceLoc loc;
};

// An application log line that should become a timeline event: lines matching `regex` (ECMAScript,
// searched in the message) become event `event`, usable as `expect: {event: ...}`.
struct EventPattern {
  std::string regex;
  std::string event;
  SourceLoc loc;
};

// What the pre-run health check may try, in order, on a device that fails it (rack `recover:`);
// every attempt is an event on the timeline.
struct RecoverStep {
  enum class Kind {
    power_cycle,  // switch the supply off for the rack's min_off, then on
    dfu_flash,    // DFU mode (its port opened at 14400 baud), then dfu-util writes `image`
  };
  Kind kind = Kind::power_cycle;
  // dfu_flash: a known-good application (resolved against the rack file's folder, its module prefix
  // checked against the device's platform), and how long to keep asking for DFU mode (`wait:`).
  DfuImage image;
  Duration wait = kDfuWaitDefault;
  SourceLoc loc;
};

struct RackDevice {
  DeviceId id = *DeviceId::parse("000000000000000000000000");  // replaced when read
  std::string name;
  const Platform* platform = nullptr;
  std::vector<std::string> tags;
  std::string segment;  // name of the network segment; empty if none
  std::string ip;       // how outage backends find its traffic: its address on the segment,
  std::string mac;      // or its MAC (looked up in a dnsmasq leases file when an IP is needed)
  std::optional<BackendSpec> power;
  std::optional<BackendSpec> serial;
  std::optional<BackendSpec> led;
  std::vector<FaultSpec> faults;
  std::string firmware;             // declared application firmware, reported in results
  std::optional<Duration> min_off;  // overrides Rack::min_off for this device
  // Set (with the reason) for a device under maintenance (`maintenance:` in the rack file, or `cyanrig
  // device disable`): runs skip it, reported as skipped with the reason, never failed.
  std::optional<std::string> maintenance;
  std::vector<RecoverStep> recover;  // empty: a device failing the health check is reported unhealthy
  SourceLoc loc;
};

struct Segment {
  std::string name;
  // `outage:` one backend or a list of them (nftables for cloud/internet/dns, netem for impair, link
  // for link, ...); each outage step goes to the first that performs its mode.
  std::vector<BackendSpec> outages;
  // An outage must show its effect this soon after it starts (a device's packets stopped, or a
  // device reporting the loss); one that never bites is the lab's fault, not the devices'.
  Duration effect_within = std::chrono::minutes(5);
  SourceLoc loc;
};

struct Rack {
  std::string name;
  std::string file;                         // where it was read from ("<built-in sim>" for the built-in rack)
  PowerState safe_power = PowerState::off;  // what relays are left in at every exit
  // A device's supply stays off at least this long before it is switched on again (capacitors
  // must drain, or the device browns out instead of resetting).
  Duration min_off = std::chrono::seconds(1);
  // Devices switched on together are switched on this far apart, to limit inrush current.
  Duration power_on_spacing{0};
  std::vector<EventPattern> patterns;  // application log lines -> events, for every device
  std::vector<Segment> segments;
  std::optional<BackendSpec> cloud;
  std::vector<RackDevice> devices;
  // Where the rack's lock lives (rig/lock/rack_lock.hpp, docs/operations.md); empty: $CYANRIG_LOCK_DIR,
  // else /run/lock/cyanrig. Relative paths in the file are taken from the rack file's folder.
  std::string lock_dir;
  // Environment variables no command the rack runs may see (`secret_env:`), on top of
  // PARTICLE_ACCESS_TOKEN, which none ever sees; a command backend may pass one on by name (`pass_env:`).
  std::vector<std::string> secret_env;
  // Where `cyanrig device disable|enable` keep which devices are under maintenance (`maintenance_file:`,
  // default <rack file name>.maintenance.yaml next to the rack file); empty for the built-in rack.
  std::string maintenance_file;

  const RackDevice* find_device(std::string_view name_or_id) const;
  const Segment* find_segment(std::string_view name) const;
};

}  // namespace cyanrig
