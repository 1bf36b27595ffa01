#include "cli/metrics_endpoint.hpp"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <charconv>
#include <stdexcept>
#include <thread>

#include "drivers/sim/serve/http_message.hpp"

namespace cyanrig::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using sim::HttpRequest;
using sim::HttpResponse;

// A scrape that sends nothing for this long is dropped.
constexpr auto kScrapeTimeout = std::chrono::seconds(30);

HttpResponse answer(const HttpRequest& request, const std::function<std::string()>& exposition) {
  HttpResponse response;
  const std::string_view target = sim::text(request.target());
  if (target != "/metrics" && !target.starts_with("/metrics?")) {
    response.result(http::status::not_found);
    response.set(http::field::content_type, "text/plain");
    response.body() = "not found: the metrics are at /metrics\n";
  } else if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
  } else {
    response.result(http::status::ok);
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.body() = exposition();
  }
  return response;
}

// One scrape connection: requests answered in turn until the client closes or goes quiet.
class Scrape : public std::enable_shared_from_this<Scrape> {
 public:
  Scrape(tcp::socket socket, const std::function<std::string()>& exposition)
      : stream_(std::move(socket)), exposition_(exposition) {}

  void read() {
    request_ = {};
    stream_.expires_after(kScrapeTimeout);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();
                       self->write();
                     });
  }

 private:
  void write() {
    auto response = std::make_shared<HttpResponse>(answer(request_, exposition_));
    response->version(request_.version());
    response->keep_alive(request_.keep_alive());
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (ec || !response->keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  HttpRequest request_;
  const std::function<std::string()>& exposition_;
};

}  // namespace

struct MetricsEndpoint::State {
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::function<std::string()> exposition;
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed
      std::make_shared<Scrape>(std::move(socket), exposition)->read();
      accept();
    });
  }
};

MetricsEndpoint::MetricsEndpoint(const std::string& address, std::uint16_t port,
                                 std::function<std::string()> exposition)
    : state_(std::make_unique<State>()) {
  state_->exposition = std::move(exposition);
  beast::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(fmt::format("--metrics-listen: {} is not an IP address", address));
  const tcp::endpoint endpoint(ip, port);
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("--metrics-listen: cannot listen on {}:{}: {}", address, port, ec.message()));
  state_->accept();
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

MetricsEndpoint::~MetricsEndpoint() {
  net::post(state_->io, [state = state_.get()] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    state->io.stop();
  });
  state_->thread.join();
}

std::string MetricsEndpoint::url() const {
  const tcp::endpoint bound = state_->acceptor.local_endpoint();
  const std::string host =
      bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
  return fmt::format("http://{}:{}/metrics", host, bound.port());
}

std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const std::string_view digits = std::string_view(text).substr(colon + 1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535) return std::nullopt;
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace cyanrig::cli
