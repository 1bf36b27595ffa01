// A run the writers can be tested against: two devices, two repeats, one device failure, one lab
// failure, one missing measurement, one passing and one failing criterion.
#pragma once

#include <chrono>

#include "rig/results/run_result.hpp"

namespace cyanrig::test {

inline Instant at_ms(double ms) {
  return Instant{std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms))};
}

inline Failure failure(FailureClass cls, std::string kind, std::string message = "it failed") {
  Failure f;
  f.cls = cls;
  f.kind = std::move(kind);
  f.message = std::move(message);
  return f;
}

inline RunResult mixed_run() {
  RunResult r;
  r.scenario = "reboot_during_outage";
  r.scenario_file = "scenarios/reboot_during_outage.yaml";
  r.rack = "bench-a";
  r.rack_file = "racks/bench-a.yaml";
  r.seed = 42;
  r.simulated = true;
  r.started_utc = "2026-11-21T08:15:02Z";
  r.wall_seconds = 0.41234;
  r.rig_seconds = 240.0;
  r.repeats = 2;
  r.devices = {{"argon-1", "e00fce68aaaaaaaaaaaaaaaa", "argon", "fw/tracker-1.2.bin", true, std::nullopt},
               {"boron-1", "e00fce68bbbbbbbbbbbbbbbb", "boron", "fw/tracker-1.2.bin", true, std::nullopt}};

  Failure timeout = failure(FailureClass::device, "timeout",
                            "expected led breathing_cyan within 60 s; saw blinking_green since 12.000 s");
  timeout.step = "steps[3] expect";
  timeout.where = "scenarios/reboot_during_outage.yaml:14:7";
  timeout.t = at_ms(180250);
  Failure relay =
      failure(FailureClass::infrastructure, "power", "relay 3 did not switch off: gpiochip0 line 17 busy");
  relay.step = "steps[1] power";
  relay.where = "scenarios/reboot_during_outage.yaml:9:5";
  relay.t = at_ms(120001);

  r.cases = {{"argon-1", 1, at_ms(0), at_ms(120000), {}, 0.1},
             {"boron-1", 1, at_ms(0), at_ms(118500.25), {}, 0.098},
             {"argon-1", 2, at_ms(120000), at_ms(240000), {timeout}, 0.2},
             {"boron-1", 2, at_ms(120000), at_ms(120001), {relay}, 0.001}};
  r.finished = true;

  r.samples = {{"time_to_cloud", "argon-1", 1, 12.5, "s", ""},
               {"time_to_cloud", "boron-1", 1, 30.25, "s", ""},
               {"time_to_cloud", "argon-1", 2, std::nullopt, "s", "cloud_connected never seen"},
               {"time_to_cloud", "boron-1", 2, 20.0, "s", ""}};

  r.criteria = {
      {"time_to_cloud", "rack", "p95", 60, 29.225, "s", true, 3, 0},
      {"time_to_cloud", "argon-1", "max", 10, std::nullopt, "s", false, 2, 1, FailureClass::device}};
  return r;
}

}  // namespace cyanrig::test
