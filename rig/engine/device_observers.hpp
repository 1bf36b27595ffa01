// Hardware output -> timeline events, for every selected device: serial bytes -> LineFramer -> a
// `serial` line and, when Device OS logged something it knows, a `devos` event; colour samples ->
// LedDecoder -> `led` states; the rack's cloud event stream -> `cloud` events and the stream's
// state. Faults of these sources (a port that can never work, a sensor gone) are handed to the run,
// which fails the device as an infrastructure error.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "rig/devos/log_parser.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/serial/line_framer.hpp"

namespace cyanrig {

class DeviceObservers {
 public:
  // A source of a device's observations failed for good: kind "serial" or "led_sensor".
  using Fault =
      std::function<void(const std::string& device, const std::string& kind, const std::string& message)>;

  DeviceObservers(RunContext& run, RigBackends& backends, Fault on_fault);
  DeviceObservers(const DeviceObservers&) = delete;
  DeviceObservers& operator=(const DeviceObservers&) = delete;

  void start();
  // Stops every source and records what framers and decoders still hold.
  void close();

 private:
  struct Device {
    DeviceBackends* backends = nullptr;
    LineFramer framer;
    Timer idle_flush;
    LedDecoder decoder;
  };

  void on_serial(Device& d, Instant arrival, std::string_view bytes);
  void on_serial_link(Device& d, bool attached, const std::string& detail);
  void record_line(Device& d, const SerialLine& line);
  void record_led(Device& d, const LedStateChange& c);
  void on_cloud_event(const CloudEvent& e);
  void on_cloud_stream(const CloudStreamState& state);

  RunContext& run_;
  RigBackends& backends_;
  Fault on_fault_;
  DevosLogParser parser_;
  std::map<std::string, std::unique_ptr<Device>> devices_;
  bool closed_ = false;
};

}  // namespace cyanrig
