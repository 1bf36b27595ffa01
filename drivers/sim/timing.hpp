// How long things take on a simulated device, per platform (particle-reference.md §1-§5).
// Every entry is a Span and is drawn afresh each time, so two devices never move in lock-step.
#pragma once

#include "drivers/sim/random.hpp"
#include "rig/core/platform.hpp"

namespace cyanrig::sim {

struct DeviceTiming {
  // Boot (§2 "typical power-up"): dark ~1 s, breathing white ~1 s. USB enumerates early, before
  // the first log line, because lines written while the port is absent are lost.
  Span usb_attach_after_boot;
  Span usb_attach_after_wake;
  Span led_dark;
  Span breathing_white;

  // Network: joining Wi-Fi or registering on the cellular network (blinking green), then the
  // address (fast blinking green).
  Span associate;
  Span rejoin_after_reset;  // a reset that kept the radio powered: the modem is still registered
  Span address;
  Span wifi_retry;                   // pause between Wi-Fi join attempts while there is no link
  Span cellular_poll;                // how often a registering modem notices the network came back
  Duration registration_timeout{0};  // cellular: modem reset after this (§4: 10 min)

  // Cloud connection (§3, §4).
  Span socket;                  // from `Cloud: connecting` to `Cloud socket connected`
  Span resumed_connect;         // `Cloud: connecting` to `Cloud connected` with a resumed session
  Span full_connect;            // same with a full handshake
  Span socket_connect_timeout;  // TCP (Gen 2 Wi-Fi) connect under a dropping outage
  Span handshake_timeout;       // UDP/DTLS handshake under a dropping outage
  Span rejected;                // a refused connection fails this fast
  Span dns_timeout;             // resolver under a dropping DNS outage
  Span handshake_error;         // a handshake the server refuses (bad keys, fault models)
  Span internet_test_ok;
  Span internet_test_timeout;
  Duration keepalive{0};
  Duration keepalive_ack_timeout{0};

  // Cloud requests and OTA (§6).
  Span round_trip;  // API -> device -> API for a function call or variable read
  double ota_bytes_per_second = 0;
  Duration ota_min_transfer{0};
  Span ota_stall_timeout;  // device gives up on a transfer that stopped
  Span action_delay;       // the application acts on a function call (sleep, reset) after returning

  // DFU (§7): from the port opened at 14400 baud to the bootloader answering on USB in DFU mode
  // (a reset into the bootloader and a re-enumeration), then a download: dfu-util's setup and erase,
  // and the write itself.
  Span dfu_enter;
  Span dfu_setup;
  double dfu_bytes_per_second = 0;
  // Fault bad_firmware: how long the broken application runs before it panics.
  Span app_crash_after;
};

DeviceTiming timing_for(const Platform& platform);

}  // namespace cyanrig::sim
