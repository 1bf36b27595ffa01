// A simulated network segment: the devices behind one outage switch, and what an outage on it
// takes away (the outage modes of rig/capabilities/outage.hpp):
//   cloud     the Particle cloud's addresses/ports are blocked; the rest of the internet works
//   internet  nothing beyond the local network answers (the LAN resolver still has cached names)
//   dns       name resolution fails; packets to known addresses still flow, so sessions survive
//   link      no network at all: Wi-Fi cannot join, the cellular modem cannot register
//   impair    the sim does not model partial loss or delay: 100% loss is an internet outage, less
//             leaves the network working (use a real segment with netem for degraded links)
// With action drop packets vanish (timeouts); with reject they are refused (fast failures).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "rig/capabilities/outage.hpp"

namespace cyanrig::sim {

class NetworkSegment {
 public:
  using Watcher = std::function<void()>;
  using WatcherId = std::uint64_t;

  explicit NetworkSegment(std::string name) : name_(std::move(name)) {}
  NetworkSegment(const NetworkSegment&) = delete;
  NetworkSegment& operator=(const NetworkSegment&) = delete;

  const std::string& name() const { return name_; }

  // Starting replaces any outage in force; stopping when none is in force does nothing.
  void start_outage(const OutageSpec& spec);
  void stop_outage();
  const std::optional<OutageSpec>& outage() const { return outage_; }

  bool link_up() const { return !is(OutageMode::link); }
  // Packets between a device and the cloud get through (an existing session keeps working).
  bool cloud_reachable() const { return !outage_ || outage_->mode == OutageMode::dns || merely_impaired(); }
  // A new connection can find the cloud's address.
  bool names_resolve() const { return !is(OutageMode::dns) && link_up(); }
  // The internet test (a connection to a well-known public server) succeeds.
  bool internet_reachable() const {
    return !outage_ || outage_->mode == OutageMode::cloud || is(OutageMode::dns) || merely_impaired();
  }
  bool rejecting() const { return outage_ && outage_->action == OutageAction::reject; }

  // Devices on the segment are told after every change, in the order they started watching.
  WatcherId watch(Watcher watcher);
  void unwatch(WatcherId id) { watchers_.erase(id); }

  // What a rule's counters show on a real segment: a device's packet that the outage stopped
  // (a keepalive, a handshake, a name lookup). The outage switch reports it as evidence of effect.
  using Blocked = std::function<void(const std::string& device, const std::string& what)>;
  void on_blocked(Blocked listener) { on_blocked_ = std::move(listener); }
  void blocked(const std::string& device, std::string_view what) const {
    if (on_blocked_ && outage_)
      on_blocked_(device, fmt::format("{} {}", what, rejecting() ? "refused" : "dropped"));
  }

 private:
  bool is(OutageMode mode) const { return outage_ && outage_->mode == mode; }
  bool merely_impaired() const { return is(OutageMode::impair) && outage_->impair.loss_percent < 100; }
  void changed();

  std::string name_;
  std::optional<OutageSpec> outage_;
  WatcherId next_id_ = 0;
  std::map<WatcherId, Watcher> watchers_;
  Blocked on_blocked_;
};

}  // namespace cyanrig::sim
