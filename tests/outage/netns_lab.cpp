#include "netns_lab.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <future>
#include <stdexcept>

namespace cyanrig::outage_testing {
namespace {

int to_poll_ms(Duration d) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

// Moves the calling thread into network namespace `ns`.
void enter(const std::string& ns) {
  const int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open netns " + ns);
  const int rc = ::setns(fd, CLONE_NEWNET);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("setns " + ns + " failed");
}

sockaddr_in address(const std::string& ip, int port) {
  sockaddr_in out{};
  out.sin_family = AF_INET;
  out.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &out.sin_addr);
  return out;
}

// Closes fd and throws what failed, with the errno it failed with (read before close() can change it).
[[noreturn]] void fail_closing(int fd, const std::string& what) {
  const int error = errno;
  ::close(fd);
  throw std::runtime_error(fmt::format("{} failed: errno {}", what, error));
}

int bound_socket(Protocol protocol, const std::string& ip, int port) {
  const int fd = ::socket(AF_INET, (protocol == Protocol::udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  const sockaddr_in at = address(ip, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at) != 0)
    fail_closing(fd, fmt::format("bind {}:{}", ip, port));
  if (protocol == Protocol::tcp) ::listen(fd, 16);
  return fd;
}

bool is_refusal(int error) {
  return error == ECONNREFUSED || error == ECONNRESET || error == EHOSTUNREACH || error == ENETUNREACH ||
         error == EACCES || error == EPERM;
}

// Waits for `events` on fd: true when they came, false after `wait`.
bool wait_for(int fd, short events, Duration wait) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, to_poll_ms(wait)) == 1;
}

Reply read_answer(int fd, Duration wait) {
  if (!wait_for(fd, POLLIN, wait)) return Reply::silent;
  std::array<char, 64> buffer{};
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
  if (n > 0) return Reply::answered;
  return n < 0 && is_refusal(errno) ? Reply::refused : Reply::silent;
}

// Connects fd to `p.to`:`p.port`; false with errno set when refused or failed. On a UDP socket this
// only sets its peer, so that ICMP errors reach it, and a route that rejects the peer refuses at once.
bool connect_to(int fd, const Probe& p) {
  const sockaddr_in to = address(p.to, p.port);
  return ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
}

// A UDP socket from `p.from` connected to `p.to`:`p.port`.
int connected_udp(const Probe& p) {
  const int fd = bound_socket(Protocol::udp, p.from, 0);
  if (!connect_to(fd, p)) fail_closing(fd, fmt::format("connect {}:{}", p.to, p.port));
  return fd;
}

Reply probe_udp(const Probe& p, Duration wait) {
  const int fd = bound_socket(Protocol::udp, p.from, 0);
  Reply reply = Reply::silent;
  // A refused connect is the outage's answer; a send without a peer would only say "no address".
  if (!connect_to(fd, p) || ::send(fd, "ping", 4, 0) < 0) {
    reply = is_refusal(errno) ? Reply::refused : Reply::silent;
  } else {
    reply = read_answer(fd, wait);
  }
  ::close(fd);
  return reply;
}

Reply probe_tcp(const Probe& p, Duration wait) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  const sockaddr_in from = address(p.from, 0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0)
    fail_closing(fd, fmt::format("bind {}", p.from));
  Reply reply = Reply::silent;
  if (!connect_to(fd, p) && errno != EINPROGRESS) {
    reply = is_refusal(errno) ? Reply::refused : Reply::silent;
  } else if (wait_for(fd, POLLOUT, wait)) {
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
      reply = is_refusal(error) ? Reply::refused : Reply::silent;
    } else {
      ::send(fd, "ping", 4, MSG_NOSIGNAL);
      reply = read_answer(fd, wait);
    }
  }
  ::close(fd);
  return reply;
}

// Echoes one TCP connection's first message and closes it.
void echo_connection(int listener) {
  const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  std::array<char, 512> buffer{};
  if (wait_for(fd, POLLIN, std::chrono::seconds(1))) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n > 0) ::send(fd, buffer.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL);
  }
  ::close(fd);
}

void echo_datagram(int fd) {
  std::array<char, 512> buffer{};
  sockaddr_in from{};
  socklen_t size = sizeof from;
  const ssize_t n =
      ::recvfrom(fd, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &size);
  if (n > 0)
    ::sendto(fd, buffer.data(), static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), size);
}

}  // namespace

std::string_view to_string(Reply reply) {
  switch (reply) {
    case Reply::answered:
      return "answered";
    case Reply::refused:
      return "refused";
    case Reply::silent:
      break;
  }
  return "silent";
}

int shell(const std::string& command, std::string* output) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 512> buffer{};
  std::string text;
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) text += buffer.data();
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

NetnsLab::NetnsLab(std::string prefix)
    : device_(prefix + "-dev"),
      rig_(prefix + "-rig"),
      cloud_(prefix + "-cloud"),
      stop_fd_(::eventfd(0, EFD_CLOEXEC)) {}

std::unique_ptr<NetnsLab> NetnsLab::create(std::string& problem) {
  std::unique_ptr<NetnsLab> lab(new NetnsLab(fmt::format("cyo{}", ::getpid())));
  if (!lab->build(problem)) return nullptr;
  return lab;
}

bool NetnsLab::build(std::string& problem) {
  std::string output;
  if (shell("ip netns add " + device_, &output) != 0) {
    problem = "cannot create network namespaces here (`ip netns add` says: " + output + "); run as root";
    return false;
  }
  const std::string setup = fmt::format(
      "set -e; D={}; R={}; C={}\n"
      "ip netns add $R; ip netns add $C\n"
      "for ns in $D $R $C; do ip -n $ns link set lo up; done\n"
      "ip -n $D link add dev0 type veth peer name rdev netns $R\n"
      "ip -n $R link add rup type veth peer name cloud0 netns $C\n"
      "ip -n $D addr add {}/24 dev dev0; ip -n $D addr add {}/24 dev dev0\n"
      "ip -n $R addr add {}/24 dev rdev; ip -n $R addr add 10.77.2.1/24 dev rup\n"
      "ip -n $C addr add {}/24 dev cloud0\n"
      "ip -n $D link set dev0 up; ip -n $R link set rdev up; ip -n $R link set rup up; ip -n $C link set "
      "cloud0 up\n"
      "ip -n $D route add default via {}\n"
      "ip -n $C route add default via 10.77.2.1\n"
      "ip netns exec $R sysctl -qw net.ipv4.ip_forward=1\n"
      "ip netns exec $R nft list tables >/dev/null\n",
      device_, rig_, cloud_, kArgonIp, kBystanderIp, kRigIp, kCloudIp, kRigIp);
  if (shell("sh -c '" + setup + "'", &output) != 0) {
    problem = "setting up the namespaces failed: " + output;
    return false;
  }
  shell(fmt::format("ip -n {} -br link show dev0 | awk '{{print $3}}'", device_), &device_mac_);
  while (!device_mac_.empty() && std::isspace(static_cast<unsigned char>(device_mac_.back())))
    device_mac_.pop_back();
  serve(cloud_, {{Protocol::udp, 5684},
                 {Protocol::tcp, 5683},
                 {Protocol::tcp, 8080},
                 {Protocol::udp, 53},
                 {Protocol::tcp, 53}});
  serve(rig_, {{Protocol::udp, 53}, {Protocol::tcp, 53}});
  return true;
}

// Starts an echo server thread inside `ns`, returning once its sockets listen.
void NetnsLab::serve(const std::string& ns, const std::vector<std::pair<Protocol, int>>& ports) {
  std::promise<void> ready;
  auto listening = ready.get_future();
  servers_.emplace_back([this, ns, ports, ready = std::move(ready)]() mutable {
    std::vector<pollfd> fds{{stop_fd_, POLLIN, 0}};
    std::vector<Protocol> kinds{Protocol::udp};
    try {
      enter(ns);
      for (const auto& [protocol, port] : ports) {
        fds.push_back({bound_socket(protocol, "0.0.0.0", port), POLLIN, 0});
        kinds.push_back(protocol);
      }
      ready.set_value();
    } catch (...) {
      ready.set_exception(std::current_exception());
      return;
    }
    while (::poll(fds.data(), fds.size(), -1) > 0 && fds[0].revents == 0) {
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if ((fds[i].revents & POLLIN) == 0) continue;
        if (kinds[i] == Protocol::udp) {
          echo_datagram(fds[i].fd);
        } else {
          echo_connection(fds[i].fd);
        }
      }
    }
    for (std::size_t i = 1; i < fds.size(); ++i) ::close(fds[i].fd);
  });
  listening.get();
}

NetnsLab::~NetnsLab() {
  const std::uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) std::perror("eventfd");
  for (std::thread& t : servers_) t.join();
  ::close(stop_fd_);
  for (const std::string& ns : {device_, rig_, cloud_}) shell("ip netns del " + ns);
}

std::vector<Reply> NetnsLab::probe(const std::vector<Probe>& probes, Duration wait) const {
  std::vector<std::future<Reply>> answers;
  for (const Probe& p : probes) {
    answers.push_back(std::async(std::launch::async, [this, p, wait] {
      enter(device_);
      return p.protocol == Protocol::udp ? probe_udp(p, wait) : probe_tcp(p, wait);
    }));
  }
  std::vector<Reply> out;
  for (auto& answer : answers) out.push_back(answer.get());
  return out;
}

Reply answer_waiting(int fd) {
  Reply reply = Reply::silent;
  std::array<char, 64> buffer{};
  for (;;) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n >= 0) {
      reply = Reply::answered;
    } else if (is_refusal(errno)) {
      reply = reply == Reply::answered ? reply : Reply::refused;
    } else {
      return reply;  // EAGAIN: nothing more has come
    }
  }
}

int NetnsLab::udp_socket(const Probe& p) const {
  return std::async(std::launch::async,
                    [this, p] {
                      enter(device_);
                      return connected_udp(p);
                    })
      .get();
}

int NetnsLab::in_rig(const std::string& command, std::string* output) const {
  return shell("ip netns exec " + rig_ + " " + command, output);
}

bool NetnsLab::table_exists(const std::string& table) const {
  std::string output;
  in_rig("nft list tables", &output);
  return output.find("table inet " + table + "\n") != std::string::npos;
}

}  // namespace cyanrig::outage_testing
