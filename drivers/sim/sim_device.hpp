// One simulated Particle device (particle-reference.md §1-§5): its supply, boot, sleep, panic and OTA,
// the sim application firmware it runs, and the fault models it carries. The network and cloud
// halves of its connection are NetworkPhase and CloudSession; the cloud's view of it lives in
// SimParticleCloud, reached through CloudEndpoint.
//
// DFU (particle-reference.md §2, §7): the port opened at 14400 baud while Device OS runs resets the
// device into its bootloader (blinking yellow, the serial port gone); a download then writes a new
// application and the device leaves DFU mode running it. The fault bad_firmware (faults.hpp) is the
// broken application only such a download cures.
//
// The sim application: functions `ping` (returns 1), `sleep` (`<stop|ulp|hibernate>,<seconds>`),
// `reset`, `panic` (`<code>`) returning 0 and acting just after; variables `uptime` (int, seconds
// since boot), `version` (string: application firmware version), `resets` (int: resets since power
// was applied, kept in retained RAM).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "drivers/sim/cloud_model.hpp"
#include "drivers/sim/cloud_session.hpp"
#include "drivers/sim/device_os.hpp"
#include "drivers/sim/device_parts.hpp"
#include "drivers/sim/faults.hpp"
#include "drivers/sim/firmware_update.hpp"
#include "drivers/sim/network_phase.hpp"
#include "rig/capabilities/power.hpp"

namespace cyanrig::sim {

enum class SleepMode { stop, ulp, hibernate };

class SimDevice final : public CloudEndpoint {
 public:
  SimDevice(Clock& clock, RackDevice device, DeviceFaults faults, NetworkSegment& segment,
            SimParticleCloud& cloud, std::uint64_t run_seed);
  ~SimDevice() override;
  SimDevice(const SimDevice&) = delete;
  SimDevice& operator=(const SimDevice&) = delete;

  // The supply. Power on boots (reset reason power_down); power off stops everything at once.
  void set_power(PowerState state);
  bool powered() const { return powered_; }

  // What the rig's sim backends read.
  UsbSerial& usb() { return usb_; }
  StatusLed& led() { return led_; }
  const RackDevice& rack_device() const { return device_; }

  // The host opened the USB serial port at `baud` (§7). Device OS hears 14400 as a request for DFU
  // mode while its port is up; not during an SOS (interrupts are off).
  void usb_baud_requested(int baud);
  // In DFU mode with the bootloader enumerated: what dfu-util would find.
  bool in_dfu() const { return mode_ == Mode::dfu && dfu_ready_; }
  // dfu-util's download with `:leave`: writes `bytes`, then the device leaves DFU mode and boots the
  // new application. False when it is not in DFU mode or a download is going already.
  bool dfu_download(std::uintmax_t bytes);
  // Downloads completed so far (the new application runs from the last one on).
  int dfu_downloads() const { return dfu_downloads_; }
  bool firmware_broken() const { return firmware_broken_; }

  // Observation for tests and debugging: "off", "booting", "network_joining", "network_addressing",
  // "cloud_connecting", "cloud_handshake", "cloud_connected", "cloud_failing", "cloud_waiting",
  // "updating", "sleeping", "panic", "dfu".
  std::string state() const;
  const std::string& firmware_version() const { return firmware_version_; }
  const LastReset& last_reset() const { return last_reset_; }
  int resets() const { return resets_; }
  bool orphaned() const { return orphaned_; }

  // CloudEndpoint
  bool answers() const override;
  int call_function(const std::string& name, const std::string& arg) override;
  nlohmann::json read_variable(const std::string& name) override;
  void begin_update(std::uintmax_t bytes, std::string version) override;

 private:
  enum class Mode { off, booting, running, sleeping, panicking, dfu };

  void boot(LastReset reason);
  void reset(LastReset reason);
  void halt();
  void start_network(Duration extra, bool radio_kept = false);
  void sleep(SleepMode mode, Duration length);
  void wake(SleepMode mode);
  void panic(int code);
  void enter_dfu();
  void attach_usb(std::string detail);
  void segment_changed();
  bool fires(Fault fault);
  DeviceDescription describe() const;
  // Application actions run just after the function that asked for them has returned.
  void after_returning(std::function<void()> action);

  // Hooks of the subsystems.
  void cloud_connected(bool after_outage);
  void cloud_lost();
  bool handshake_refused();
  void update_applied(std::string version);
  // The reference probe firmware's side: its log lines, `state` variable and `led` function.
  void app_log(std::string_view line);
  void app_started();
  void app_connection(bool connected);
  int led_control(const std::string& arg);

  RackDevice device_;
  const Platform& platform_;
  DeviceTiming timing_;
  DeviceFaults faults_;
  SimParticleCloud& cloud_;
  Random random_;
  UsbSerial usb_;
  DeviceLog log_;
  StatusLed led_;
  DeviceParts parts_;
  NetworkPhase network_;
  CloudSession session_;
  FirmwareUpdate update_;
  StepChain boot_steps_;
  StepChain app_steps_;
  Timer wake_timer_;
  NetworkSegment::WatcherId segment_watch_ = 0;

  bool powered_ = false;
  Mode mode_ = Mode::off;
  Instant booted_at_{};
  LastReset last_reset_;
  bool reset_reported_ = false;  // spark/device/last_reset goes out once per boot
  int resets_ = 0;
  std::string firmware_version_;
  std::string app_state_ = "booting";  // the `state` variable
  bool app_connected_ = false;         // Particle.connected() as the application last saw it
  // Fault state: bad keys for this boot, stuck until power-cycled, orphaned until reset,
  // slow network on the next start after a wake.
  bool bad_keys_ = false;
  bool stuck_ = false;
  bool orphaned_ = false;
  bool slow_recovery_pending_ = false;
  // The application in flash (fault bad_firmware until a DFU download replaces it), and DFU state.
  bool firmware_broken_ = false;
  bool requests_heard_ = false;  // Device OS's line-coding handler is up (§7)
  bool dfu_ready_ = false;       // the bootloader has enumerated
  bool dfu_writing_ = false;
  int dfu_downloads_ = 0;
};

}  // namespace cyanrig::sim
