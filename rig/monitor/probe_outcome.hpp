// What one probe of one device found, in the terms the metrics and alerts use.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "rig/core/time.hpp"

namespace cyanrig::monitor {

enum class ProbeResult {
  success,  // every step passed
  failure,  // the device failed (did not connect, did not answer, too slow, orphaned)
  error,    // the lab failed (relay, serial port, cloud API): a backend fault, not the device's
  skipped,  // the device's turn was not free (a scenario run holds it)
};
std::string_view to_string(ProbeResult result);

struct ProbeOutcome {
  std::string device;
  std::string platform;
  std::string probe;  // the probe (or watch) scenario's name
  ProbeResult result = ProbeResult::skipped;
  std::string reason;  // the first failure's kind and message, or why it was skipped
  // Timed connects by kind ("cold", "warm"): the scenario's measurements named <kind>_connect.
  std::map<std::string, double> connect_seconds;
  std::optional<bool> online;  // the cloud's last word on the device during the probe
  bool orphaned = false;       // listed online and breathing cyan, yet calls timed out
  std::string led_state;       // the last LED state decoded, empty when none was
  // The device's `uptime` variable as of the run's end (read during it, the rest of the run added),
  // in seconds; empty when the run did not read it.
  std::optional<double> uptime_seconds;
  Duration took{0};  // on the probe run's clock
};

}  // namespace cyanrig::monitor
