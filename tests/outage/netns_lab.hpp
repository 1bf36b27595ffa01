// A three-namespace network for testing outages with the real nft, tc and ip:
//
//   device ns                    rig ns (the Pi, routing)              cloud ns
//   dev0 10.77.1.2 (argon-1) --- rdev 10.77.1.1 | rup 10.77.2.1 --- cloud0 10.77.2.2
//        10.77.1.3 (bystander)   forwarding on, DNS on :53             UDP 5684, TCP 5683, TCP 8080,
//                                                                      UDP+TCP 53 echo servers
//
// Names are unique per test process. Servers and probes run on threads that setns() into their
// namespace: setns changes only the calling thread, and a socket stays in the namespace it was made
// in. Everything is deleted when the lab is destroyed, whatever the test did.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rig/core/time.hpp"

namespace cyanrig::outage_testing {

enum class Protocol { udp, tcp };
enum class Reply { answered, refused, silent };  // refused: ICMP error or TCP reset

std::string_view to_string(Reply reply);

struct Probe {
  Protocol protocol;
  std::string from;  // source address in the device namespace
  std::string to;
  int port;
};

// What came back to a connected UDP socket since it was last asked, without waiting: answered when
// any datagram came, else refused when an ICMP error came, else silent.
Reply answer_waiting(int fd);

// Runs `command` through /bin/sh; its exit status, with stdout and stderr in `output`.
int shell(const std::string& command, std::string* output = nullptr);

class NetnsLab {
 public:
  static constexpr const char* kArgonIp = "10.77.1.2";
  static constexpr const char* kBystanderIp = "10.77.1.3";
  static constexpr const char* kRigIp = "10.77.1.1";
  static constexpr const char* kCloudIp = "10.77.2.2";
  static constexpr const char* kRigDeviceSide = "rdev";  // the segment's interface, in the rig namespace

  // The lab, or null with `problem` saying why namespaces cannot be made here.
  static std::unique_ptr<NetnsLab> create(std::string& problem);
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;
  ~NetnsLab();

  const std::string& rig() const { return rig_; }
  // The device namespace's MAC on dev0 (both device addresses share it).
  const std::string& device_mac() const { return device_mac_; }

  // All probes at once from the device namespace; each waits at most `wait` for an answer.
  std::vector<Reply> probe(const std::vector<Probe>& probes, Duration wait) const;
  // A UDP socket in the device namespace from `p.from`, connected to `p.to`:`p.port`; the caller
  // closes it. It stays in that namespace whichever thread uses it.
  int udp_socket(const Probe& p) const;
  // `command` inside the rig namespace.
  int in_rig(const std::string& command, std::string* output = nullptr) const;
  // Whether `inet <table>` exists in the rig namespace.
  bool table_exists(const std::string& table = "cyanrig") const;

 private:
  explicit NetnsLab(std::string prefix);
  bool build(std::string& problem);
  void serve(const std::string& ns, const std::vector<std::pair<Protocol, int>>& ports);

  std::string device_, rig_, cloud_;
  std::string device_mac_;
  int stop_fd_ = -1;  // eventfd: servers return when it is written
  std::vector<std::thread> servers_;
};

}  // namespace cyanrig::outage_testing
