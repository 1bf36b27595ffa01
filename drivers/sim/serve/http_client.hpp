// A small synchronous HTTP client for loopback use: `cyanrig sim ctl` talks to a served rack's
// control API with it, and the tests use it to see the served API exactly as a client does.
// (cyanrig's own cloud backend, drivers/cloud/particle, is the asynchronous client for real use.)
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/sim/serve/http_message.hpp"
#include "rig/core/time.hpp"

namespace cyanrig::sim {

struct HttpUrl {
  std::string host;
  std::string port;
};
// "http://127.0.0.1:8080" (a trailing "/" is fine); nothing for anything else (https, a path).
std::optional<HttpUrl> parse_http_url(std::string_view url);

// Sends `request` on a fresh connection and returns the whole answer. Sets Host and asks the server
// to close the connection. Throws boost::system::system_error when the server cannot be reached,
// closes the connection without answering, or takes longer than `timeout`.
HttpResponse send_http_request(const HttpUrl& url, HttpRequest request,
                               Duration timeout = std::chrono::seconds(10));

// A JSON exchange with the control API (/sim/...). `error` is set, and `status` 0, when the server
// could not be reached; otherwise `status` and `body` are the server's.
struct ControlAnswer {
  int status = 0;
  nlohmann::json body;
  std::string error;
  bool ok() const { return status == 200; }
};
ControlAnswer control_request(const std::string& url, http::verb method, const std::string& target,
                              const nlohmann::json& body = nullptr);

}  // namespace cyanrig::sim
