#include "drivers/sim/timing.hpp"

#include <chrono>

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Span ms(int lo, int hi) {
  return {milliseconds(lo), milliseconds(hi)};
}

}  // namespace

DeviceTiming timing_for(const Platform& platform) {
  const bool cellular = platform.cellular();
  const bool gen2 = platform.generation == 2;
  DeviceTiming t;
  t.usb_attach_after_boot = ms(450, 800);
  t.usb_attach_after_wake = ms(500, 1500);
  t.led_dark = ms(900, 1100);
  t.breathing_white = ms(900, 1200);

  // §2 network: Wi-Fi joins in ~2-5 s, cellular registration ~12-40 s on a known network (so a
  // healthy cellular device meets Device OS's cold-boot SLO, p75 < 60 s); §4: registration gives up
  // after 10 min and the modem is reset.
  t.associate = cellular ? ms(12'000, 40'000) : ms(2'000, 5'000);
  // A warm reset (System.reset, OTA, panic) leaves the cellular modem powered and registered, so it
  // is back in seconds; Wi-Fi rejoins as usual. (Device OS's SLO expects warm boots under 30 s.)
  t.rejoin_after_reset = cellular ? ms(2'000, 6'000) : t.associate;
  t.address = cellular ? ms(500, 1'500) : ms(300, 1'000);
  t.wifi_retry = ms(5'000, 10'000);
  t.cellular_poll = ms(5'000, 15'000);
  t.registration_timeout = minutes(10);

  // §3: a resumed session connects in ~0.8 s; a full handshake takes ~2-3 s on Wi-Fi, ~5 s on
  // Gen 3 cellular and ~8.5 s on Gen 2 cellular.
  t.socket = platform.transport == CloudTransport::tcp_5683 ? ms(100, 300) : ms(20, 80);
  t.resumed_connect = ms(650, 950);
  t.full_connect = !cellular ? ms(2'000, 3'000) : gen2 ? ms(8'000, 9'000) : ms(4'500, 5'500);
  t.socket_connect_timeout = ms(9'500, 10'500);
  t.handshake_timeout = ms(20'000, 30'000);
  t.rejected = ms(150, 900);
  t.dns_timeout = ms(5'000, 10'000);
  t.handshake_error = ms(800, 2'500);
  t.internet_test_ok = ms(200, 800);
  t.internet_test_timeout = ms(2'000, 5'000);
  t.keepalive = platform.keepalive;
  t.keepalive_ack_timeout = platform.keepalive_ack_timeout;

  // §6: ~0.3 s round trip on Wi-Fi, ~1.5 s on cellular; OTA at ~50 kB/s Wi-Fi, ~4.5 kB/s cellular
  // (a 370 kB update took ~82 s on cellular).
  t.round_trip = cellular ? ms(1'200, 1'800) : ms(220, 380);
  t.ota_bytes_per_second = cellular ? 4'500 : 50'000;
  t.ota_min_transfer = seconds(3);
  t.ota_stall_timeout = ms(10'000, 20'000);
  t.action_delay = ms(50, 200);

  // A DFU flash of an application over USB full speed takes seconds: erasing and writing internal
  // flash runs at some tens of kB/s.
  t.dfu_enter = ms(600, 1'500);
  t.dfu_setup = ms(800, 1'500);
  t.dfu_bytes_per_second = 30'000;
  t.app_crash_after = ms(1'000, 2'000);
  return t;
}

}  // namespace cyanrig::sim
