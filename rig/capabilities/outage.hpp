// Takes the cloud (or more) away from one network segment, and gives it back.
//
// A segment may have several outage backends (nftables for cloud/internet/dns, netem for impair,
// link for link, ...): the engine hands each outage to the backend that declares its mode.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/capabilities/status.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// How often the engine asks a backend whose outage is in force to hold it (OutageSwitch::hold).
inline constexpr std::chrono::seconds kOutageHoldPeriod{1};

// cloud: only Particle cloud traffic (UDP 5684, TCP 5683); internet: all forwarded traffic, DNS
// included; dns: name resolution only; impair: loss, delay and jitter; link: the interface (or
// access point, relay, switch port) down.
enum class OutageMode { cloud, internet, dns, impair, link };
// drop: silently; reject: ICMP unreachable / TCP reset, so devices notice at once.
enum class OutageAction { drop, reject };

inline constexpr OutageMode kOutageModes[] = {OutageMode::cloud, OutageMode::internet, OutageMode::dns,
                                              OutageMode::impair, OutageMode::link};

// Mode `impair`: what netem does to the segment's traffic.
struct Impairment {
  double loss_percent = 0;
  Duration delay{0};
  Duration jitter{0};
};

struct OutageSpec {
  OutageMode mode = OutageMode::cloud;
  OutageAction action = OutageAction::drop;
  Impairment impair;  // mode impair only
};

std::string_view to_string(OutageMode mode);
std::string_view to_string(OutageAction action);
std::optional<OutageMode> outage_mode_named(std::string_view name);
std::optional<OutageAction> outage_action_named(std::string_view name);
// "cloud, internet, dns, impair, link", for messages.
std::string outage_mode_names();
// "cloud (drop)", "impair (loss 20%, delay 200 ms ± 50 ms)".
std::string describe(const OutageSpec& spec);

// Evidence that an outage bites: a device's traffic was seen stopped (a rule's counter rose), or,
// with an empty device, the whole segment is cut (the link is down).
struct OutageEffect {
  std::string device;    // rack device name, or empty for the whole segment
  std::string evidence;  // "3 packets to udp/5684 dropped"
};

// What `cyanrig outage status` shows for one backend.
struct OutageStatus {
  bool in_force = false;
  std::string what;                  // "cloud outage (drop) on lab-wifi", or what is left over
  std::vector<std::string> details;  // one line per rule or setting, with its counters
  Status fault;                      // the backend could not be asked
};

class OutageSwitch {
 public:
  using Effects = std::function<void(const OutageEffect&)>;
  // A message when something a killed run left behind was found and removed.
  using Swept = std::function<void(Status fault, std::optional<std::string> removed)>;

  virtual ~OutageSwitch() = default;
  virtual void start(const OutageSpec& spec, Done done) = 0;
  // Lifting must work whatever state start() left things in, and be safe to call twice.
  virtual void stop(Done done) = 0;
  virtual bool active() const = 0;
  virtual std::string describe() const = 0;

  // Evidence of effect, reported as it appears while an outage is in force. Backends that cannot
  // see traffic (command, gpio) report nothing; the engine then relies on the devices' own reports.
  virtual void watch(Effects on_effect) { (void)on_effect; }
  // While an outage is in force the engine calls this every kOutageHoldPeriod. The backend confirms
  // that its outage is still in force exactly as it started it — a fault says what changed ("table
  // inet cyanrig was removed from outside") — and renews whatever keeps it alive: a backend whose
  // outage lapses by itself unless renewed (nftables set elements with timeouts, the dead-man lease)
  // extends it here. Backends that cannot look (a command backend without a `status` command, gpio)
  // answer ok; docs/outages.md says which backends check.
  virtual void hold(Done done) { done(Status{}); }
  // Before a run: remove what an earlier, killed run left in force (a table, a qdisc).
  virtual void sweep(Swept done) { done(Status{}, std::nullopt); }
  virtual void inspect(std::function<void(const OutageStatus&)> reply) {
    reply(OutageStatus{.in_force = active(), .what = describe()});
  }
};

}  // namespace cyanrig
