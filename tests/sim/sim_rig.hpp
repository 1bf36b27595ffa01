// A small simulated rack for the sim tests: devices built through the registry's sim backends on a
// virtual clock, with everything they say captured (serial lines, USB link changes, LED changes,
// cloud events) so tests can assert on sequences and timestamps.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/sim/sim_world.hpp"
#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim::testing {

struct DeviceSetup {
  std::string name;
  std::string platform;
  std::string segment = "lab";
  std::vector<FaultSpec> faults;
  std::string firmware;
  std::optional<std::string> led_params;  // set: the device gets a sim colour sensor ("" = defaults)
};

// A fault spec as the rack reader makes it; `params` is YAML for the fault's mapping, if any.
FaultSpec fault(std::string name, double probability, const std::string& params = "");

struct Line {
  Instant t;  // arrival of the line's first byte
  std::string device;
  std::string text;      // without CR LF
  std::string category;  // parsed from the Device OS format
  std::string level;
  std::string message;
};

struct LinkChange {
  Instant t;
  std::string device;
  bool attached;
};

struct LedChange {
  Instant t;
  std::string device;
  std::string name;
  LedSignal signal;
};

struct TimedEvent {
  Instant t;
  CloudEvent event;
};

struct TimedReply {
  Instant t;
  CloudReply reply;
};

class SimRig {
 public:
  SimRig(std::initializer_list<DeviceSetup> devices, std::uint64_t seed = 42)
      : SimRig(std::vector<DeviceSetup>(devices), seed) {}
  SimRig(std::vector<DeviceSetup> devices, std::uint64_t seed);
  ~SimRig();
  SimRig(const SimRig&) = delete;  // the capture callbacks hold `this`
  SimRig& operator=(const SimRig&) = delete;

  Clock& clock() { return *clock_; }
  Instant now() const { return clock_->now(); }
  SimWorld& world() { return *world_; }
  SimDevice& device(const std::string& name) { return *world_->find_device(name); }
  const DeviceId& id(const std::string& name) { return device(name).rack_device().id; }

  ColourSensor& sensor(const std::string& device) { return *sensor_.at(device); }

  void power(const std::string& device, PowerState state);
  void outage(const std::string& segment, OutageMode mode, OutageAction action);
  void end_outage(const std::string& segment);

  // Runs the loop for `d` of virtual time.
  void advance(Duration d);
  // Runs until `done` holds (checked every 10 ms of virtual time) or `limit` passes; true if it held.
  bool run_until(const std::function<bool()>& done, Duration limit);
  // Runs until `device` logs a line containing `message`; the line, or nothing after `limit`.
  std::optional<Line> wait_for_line(const std::string& device, std::string_view message, Duration limit);

  TimedReply call(const std::string& device, const std::string& function, const std::string& arg);
  TimedReply read(const std::string& device, const std::string& variable);
  TimedReply flash(const std::string& device, const std::string& file);
  TimedReply info(const std::string& device);

  // Captured observations, in arrival order.
  const std::vector<Line>& lines() const { return lines_; }
  std::vector<Line> lines_of(const std::string& device, Instant since = run_start()) const;
  // First line of `device` at or after `since` whose message contains `message`.
  std::optional<Line> find_line(const std::string& device, std::string_view message,
                                Instant since = run_start()) const;
  std::vector<Instant> times_of(const std::string& device, std::string_view message,
                                Instant since = run_start()) const;
  const std::vector<LinkChange>& links() const { return links_; }
  const std::vector<LedChange>& leds() const { return leds_; }
  std::vector<std::string> led_names(const std::string& device, Instant since = run_start()) const;
  const std::vector<TimedEvent>& events() const { return events_; }
  std::optional<TimedEvent> find_event(std::string_view name, std::string_view data,
                                       Instant since = run_start()) const;
  // Raw bytes as delivered, with arrival times: for the reproducibility test.
  const std::string& transcript() const { return transcript_; }

 private:
  TimedReply wait_reply(const std::function<void(Cloud::Reply)>& request);
  void on_bytes(const std::string& device, Instant arrival, std::string_view bytes);

  std::unique_ptr<Clock> clock_;
  Rack rack_;
  std::unique_ptr<BackendContext> context_;
  std::shared_ptr<SimWorld> world_;
  std::map<std::string, std::unique_ptr<PowerSwitch>> power_;
  std::map<std::string, std::unique_ptr<SerialPort>> serial_;
  std::map<std::string, std::unique_ptr<ColourSensor>> sensor_;
  std::map<std::string, std::unique_ptr<OutageSwitch>> outage_;
  std::unique_ptr<Cloud> cloud_;

  struct Partial {
    Instant first_byte;
    std::string text;
  };
  std::map<std::string, Partial> partial_;
  std::vector<Line> lines_;
  std::vector<LinkChange> links_;
  std::vector<LedChange> leds_;
  std::vector<TimedEvent> events_;
  std::string transcript_;
};

// A backend spec for `backend: sim` plus extra YAML parameters ("rate_hz: 100").
BackendSpec sim_spec(const std::string& extra_params = "");

}  // namespace cyanrig::sim::testing
