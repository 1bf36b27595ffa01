#include "drivers/serial/tcp/tcp_port.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "drivers/serial/serial_link.hpp"
#include "rig/clock.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

using boost::asio::ip::tcp;

constexpr std::string_view kServerClosed = "connection closed by the serial server";

// A serial server that loses power sends no FIN: without keepalive probes the port would look
// attached forever. These find a dead peer in about 5 + 3 x 2 = 11 s.
void probe_dead_peers(tcp::socket& socket) {
  const auto set = [fd = socket.native_handle()](int level, int option, int value) {
    ::setsockopt(fd, level, option, &value, sizeof value);  // best effort: the stream works without
  };
  set(SOL_SOCKET, SO_KEEPALIVE, 1);
  set(IPPROTO_TCP, TCP_KEEPIDLE, 5);
  set(IPPROTO_TCP, TCP_KEEPINTVL, 2);
  set(IPPROTO_TCP, TCP_KEEPCNT, 3);
}

class TcpPort final : public SerialPort {
 public:
  TcpPort(Clock& clock, TcpSettings settings)
      : clock_(clock),
        settings_(std::move(settings)),
        link_(clock, describe(), settings_.reconnect, [this] { reach(); }) {}
  ~TcpPort() override { close(); }
  TcpPort(const TcpPort&) = delete;
  TcpPort& operator=(const TcpPort&) = delete;

  void open(Listener listener) override {
    abandon_attempt();
    link_.start(std::move(listener));
  }
  void close() override {
    abandon_attempt();
    link_.stop();
  }
  std::string describe() const override { return fmt::format("tcp {}:{}", settings_.host, settings_.port); }

 private:
  // One connection attempt's I/O objects. Its handlers hold it alive (a cancelled operation still
  // completes later) and do nothing once it is abandoned.
  struct Attempt {
    explicit Attempt(boost::asio::io_context& io) : resolver(io), socket(io) {}
    tcp::resolver resolver;
    tcp::socket socket;
    bool abandoned = false;
  };

  void reach() {
    abandon_attempt();
    auto attempt = std::make_shared<Attempt>(clock_.io());
    attempt_ = attempt;
    deadline_ = clock_.after(kTcpConnectTimeout, [this] {
      fail(fmt::format("no connection within {}", format_duration(kTcpConnectTimeout)));
    });
    attempt->resolver.async_resolve(
        settings_.host, std::to_string(settings_.port),
        [this, attempt](const boost::system::error_code& ec, const tcp::resolver::results_type& endpoints) {
          if (attempt->abandoned) return;
          if (ec) return fail(fmt::format("cannot resolve {}: {}", settings_.host, ec.message()));
          boost::asio::async_connect(
              attempt->socket, endpoints,
              [this, attempt](const boost::system::error_code& error, const tcp::endpoint& to) {
                if (attempt->abandoned) return;
                if (error) return fail(fmt::format("cannot connect: {}", error.message()));
                connected(*attempt, to);
              });
        });
  }

  void connected(Attempt& attempt, const tcp::endpoint& to) {
    tcp::socket socket = std::move(attempt.socket);
    abandon_attempt();
    probe_dead_peers(socket);
    link_.attached(std::move(socket), fmt::format("{}:{}", to.address().to_string(), to.port()),
                   kServerClosed);
  }

  void fail(const std::string& reason) {
    abandon_attempt();
    link_.unreachable(reason);
  }

  void abandon_attempt() {
    deadline_.cancel();
    if (!attempt_) return;
    attempt_->abandoned = true;
    attempt_->resolver.cancel();
    boost::system::error_code ignored;
    attempt_->socket.close(ignored);
    attempt_.reset();
  }

  Clock& clock_;
  TcpSettings settings_;
  SerialLink link_;
  std::shared_ptr<Attempt> attempt_;
  Timer deadline_;
};

}  // namespace

std::optional<TcpSettings> read_tcp_settings(const BackendSpec& spec, Diagnostics& diags) {
  const std::size_t problems = diags.size();
  MapReader params(spec.params, spec.loc.file, diags, "tcp serial backend");
  params.node("backend");
  TcpSettings settings;
  if (const auto host = params.text("host", true)) {
    if (host->empty()) params.error("host", "'host' must name the serial server, e.g. 192.168.1.40");
    settings.host = *host;
  }
  if (const auto port = params.integer("port", true, 1, 65535))
    settings.port = static_cast<std::uint16_t>(*port);
  if (const auto reconnect = params.duration("reconnect")) {
    // Each attempt is a connect() to the server: a floor keeps a typo from hammering it.
    if (*reconnect < std::chrono::milliseconds(10)) {
      params.error("reconnect",
                   fmt::format("'reconnect' must be at least 10ms, found {}", format_duration(*reconnect)));
    }
    settings.reconnect = *reconnect;
  }
  params.finish();
  if (diags.size() != problems) return std::nullopt;
  return settings;
}

std::unique_ptr<SerialPort> make_tcp_port(Clock& clock, TcpSettings settings) {
  return std::make_unique<TcpPort>(clock, std::move(settings));
}

BackendFactory<SerialPort> tcp_serial_backend() {
  return {
      .validate = [](const BackendSite& site, Diagnostics& diags) { read_tcp_settings(site.spec, diags); },
      .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<SerialPort> {
        Diagnostics diags;
        auto settings = read_tcp_settings(site.spec, diags);
        if (!settings) throw std::runtime_error(diags.items().front().to_string());
        return make_tcp_port(ctx.clock(), std::move(*settings));
      }};
}

BackendFactory<DfuFlasher> tcp_dfu_refusal() {
  return {.validate = [](const BackendSite& site, Diagnostics& diags) {
    diags.error(
        site.spec.loc,
        fmt::format("dfu_flash: device '{}' is read through a serial server (serial backend tcp), "
                    "which sets the port's baud rate itself, so cyanrig cannot open the port at 14400 "
                    "baud to ask for DFU mode; plug the device into the rig's own USB (serial backend "
                    "tty or usb) to flash it over DFU",
                    site.device != nullptr ? site.device->name : std::string("?")));
  }};
}

}  // namespace cyanrig
