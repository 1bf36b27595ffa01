#include "drivers/sim/serve/http_client.hpp"

#include <fmt/format.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

namespace cyanrig::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// The first error of an exchange, thrown once the loop has finished.
void throw_if(const beast::error_code& ec) {
  if (ec) throw boost::system::system_error(ec);
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  if (url.empty() || url.find('/') != std::string_view::npos) return std::nullopt;
  // "[::1]:8080" or "host:8080" or "host" (port 80).
  std::string_view host = url;
  std::string_view port = "80";
  const auto colon = url.rfind(':');
  const auto bracket = url.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  if (host.empty() || port.empty()) return std::nullopt;
  return HttpUrl{std::string(host), std::string(port)};
}

HttpResponse send_http_request(const HttpUrl& url, HttpRequest request, Duration timeout) {
  net::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  beast::error_code failure;

  request.set(http::field::host, url.host);
  request.keep_alive(false);
  request.prepare_payload();
  stream.expires_after(timeout);
  const auto endpoints = resolver.resolve(url.host, url.port);
  stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
      if (write_ec) {
        failure = write_ec;
        return;
      }
      http::async_read(stream, buffer, parser,
                       [&](beast::error_code read_ec, std::size_t) { failure = read_ec; });
    });
  });
  io.run();
  throw_if(failure);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return parser.release();
}

ControlAnswer control_request(const std::string& url, http::verb method, const std::string& target,
                              const nlohmann::json& body) {
  const auto where = parse_http_url(url);
  if (!where) return {.error = fmt::format("'{}' is not an http://host:port URL", url)};
  HttpRequest request{method, target, 11};
  if (!body.is_null()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  try {
    const HttpResponse response = send_http_request(*where, std::move(request));
    ControlAnswer answer{.status = static_cast<int>(response.result_int())};
    answer.body = nlohmann::json::parse(response.body(), nullptr, false);
    if (answer.body.is_discarded()) answer.body = response.body();
    return answer;
  } catch (const boost::system::system_error& e) {
    return {.error = fmt::format("cannot reach the served rack at {}: {}", url, e.code().message())};
  }
}

}  // namespace cyanrig::sim
