// HTTP/1.1 to the Particle Cloud API over TLS (or plain HTTP for a loopback test server), on the
// run's event loop, with Boost.Beast.
//
// TLS: TLS 1.2 or newer, the peer's certificate verified against the system CA store (or the rack's
// ca_file), the host name checked by OpenSSL and sent as SNI.
//
// Ownership: the client owns every exchange it started. Destroying the client (or a Stream handle)
// closes their sockets and guarantees their callbacks never run; until then each callback runs on
// the loop exactly once. Every exchange opens its own connection, so any number can be in flight.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/cloud/particle/api_url.hpp"
#include "rig/core/time.hpp"

namespace boost::asio::ssl {
class context;
}

namespace cyanrig {

class Clock;

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;         // "/v1/devices/..." with the base path already applied
  std::string authorization;  // the header's value; never copied into any message
  std::string content_type;   // empty when there is no body
  std::string body;
  std::string accept = "application/json";
};

struct HttpAnswer {
  int status = 0;  // 0: no answer at all, see `failure`
  std::string body;
  std::optional<std::string> retry_after;
  // False when the exchange failed before a byte of the request was written (resolve, connect, TLS
  // handshake): the server cannot have acted on it.
  bool request_sent = false;
  bool deadline_passed = false;  // the failure is the deadline given to send() or stream()
  std::string failure;           // why there is no (complete) answer
};

// A long-lived response body (server-sent events), read as it arrives.
struct StreamListener {
  std::function<void()> on_open;  // status 200, headers read
  std::function<void(std::string_view bytes)> on_bytes;
  // The stream is over, exactly once: refused (status and body set), dropped, or idle. Not called
  // after the Stream handle is destroyed.
  std::function<void(const HttpAnswer& why)> on_end;
};

class HttpClient {
 public:
  class Exchange;

  // Move-only handle to one open stream; destroying it closes the connection.
  class Stream {
   public:
    Stream() = default;
    explicit Stream(std::shared_ptr<Exchange> exchange) : exchange_(std::move(exchange)) {}
    Stream(Stream&&) noexcept = default;
    Stream& operator=(Stream&& other) noexcept;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream() { close(); }
    void close();

   private:
    std::shared_ptr<Exchange> exchange_;
  };

  // Throws std::runtime_error when ca_file cannot be loaded.
  HttpClient(Clock& clock, ApiUrl url, const std::optional<std::filesystem::path>& ca_file);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request on a fresh connection; `done` gets the answer, or the failure once `deadline` passes.
  void send(HttpRequest request, Instant deadline, std::function<void(HttpAnswer)> done);
  // Opens a stream: the headers must arrive by `open_deadline`; after that, a silence longer than
  // `idle_timeout` ends the stream.
  [[nodiscard]] Stream stream(HttpRequest request, Instant open_deadline, Duration idle_timeout,
                              StreamListener listener);

  const ApiUrl& url() const { return url_; }

 private:
  std::shared_ptr<Exchange> start(HttpRequest request);

  Clock& clock_;
  ApiUrl url_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null for http://
  std::vector<std::weak_ptr<Exchange>> exchanges_;
};

}  // namespace cyanrig
