// cyanrig reference probe firmware: the device side of the contract the shipped scenarios and
// `cyanrig monitor` assume (README.md beside this file). Particle Wiring API, Device OS >= 4.0.
// It cannot be compiled on the rig machine; build it with Workbench or `particle compile`.
#include "Particle.h"

SYSTEM_THREAD(ENABLED);
SYSTEM_MODE(AUTOMATIC);

// Device OS's own connection log lines (cloud, network) plus the application's, at 115200 baud.
SerialLogHandler logHandler(115200, LOG_LEVEL_INFO, {{"app", LOG_LEVEL_ALL}});

namespace {

const char* kVersion = "1.0.0";  // the `version` variable; keep it equal to the rack's `firmware:`

int resets = 0;  // the `resets` variable: resets since power-on (retained)
retained int retainedResets = 0;
String state = "booting";  // the `state` variable: booting, connecting, online, offline, sleeping, rgb
bool wasConnected = false;
SystemSleepConfiguration pendingSleep;  // set by the `sleep` function, carried out by loop()
bool sleepPending = false;

int ping(String) {
  Log.info("probe: ping answered");
  return 1;
}

int resetDevice(String) {
  Log.info("probe: reset requested");
  // Return first, so the cloud gets the answer; the reset follows a moment later.
  System.reset(RESET_REASON_USER, RESET_NO_WAIT);
  return 0;
}

// "stop,300", "ulp,60", "hibernate,600": mode and seconds, as the sleep scenarios call it.
int sleepFor(String arg) {
  const int comma = arg.indexOf(',');
  if (comma < 0) return -1;
  const String mode = arg.substring(0, comma);
  const long seconds = arg.substring(comma + 1).toInt();
  if (seconds <= 0) return -1;
  SystemSleepConfiguration config;
  if (mode == "stop")
    config.mode(SystemSleepMode::STOP);
  else if (mode == "ulp")
    config.mode(SystemSleepMode::ULTRA_LOW_POWER);
  else if (mode == "hibernate")
    config.mode(SystemSleepMode::HIBERNATE);
  else
    return -1;
  config.duration(std::chrono::seconds(seconds));
  Log.info("probe: sleeping %s for %ld s", mode.c_str(), seconds);
  state = "sleeping";
  // The sleep itself happens in loop(), after this call has been answered.
  pendingSleep = config;
  sleepPending = true;
  return 0;
}

// "1".."99": SOS with that code, for the panic scenarios.
int panicWith(String arg) {
  const int code = arg.toInt();
  if (code < 1 || code > 99) return -1;
  Log.info("probe: panic %d requested", code);
  panic_(static_cast<ePanicCode>(code), nullptr, nullptr);
  return 0;
}

// RGB control for LED sensor calibration (`cyanrig led calibrate`): "rgb,R,G,B" (each 0..255) shows
// that colour instead of the system's signals, "auto" gives the LED back to Device OS.
int led(String arg) {
  if (arg == "auto") {
    RGB.control(false);
    if (state == "rgb") state = Particle.connected() ? "online" : "offline";
    return 0;
  }
  int r = -1, g = -1, b = -1;
  char extra = 0;
  if (sscanf(arg.c_str(), "rgb,%d,%d,%d%c", &r, &g, &b, &extra) != 3) return -1;
  if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255) return -1;
  if (state != "rgb") Log.info("probe: RGB control mode");
  state = "rgb";
  RGB.control(true);
  RGB.color(r, g, b);
  return 0;
}

}  // namespace

void setup() {
  resets = ++retainedResets;
  Particle.function("ping", ping);
  Particle.function("reset", resetDevice);
  Particle.function("sleep", sleepFor);
  Particle.function("panic", panicWith);
  Particle.function("led", led);
  Particle.variable("uptime", []() -> int { return static_cast<int>(System.uptime()); });
  Particle.variable("version", kVersion);
  Particle.variable("resets", resets);
  Particle.variable("state", state);
  Log.info("probe: version %s booted, reset reason %d", kVersion, static_cast<int>(System.resetReason()));
  state = "connecting";
}

void loop() {
  if (sleepPending) {
    sleepPending = false;
    delay(1000);  // let the function's answer reach the cloud
    System.sleep(pendingSleep);
    waitFor(Serial.isConnected, 5000);  // USB comes back after the wake; a line before it is lost
    Log.info("probe: woke up");
  }
  const bool connected = Particle.connected();
  if (connected != wasConnected) {
    // Explicit connection lines, besides Device OS's own, that scenarios can match as events.
    Log.info(connected ? "probe: cloud connected" : "probe: cloud disconnected");
    wasConnected = connected;
    if (state != "rgb") state = connected ? "online" : "offline";
  }
  delay(10);
}
