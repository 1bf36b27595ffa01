// `--metrics-listen ADDR:PORT`: the monitor's metrics over HTTP for Prometheus to scrape —
// GET /metrics answers the exposition (text/plain; version=0.0.4), anything else 404.
//
// Built on the served cloud's Beast message layer (drivers/sim/serve/http_message.hpp). Threading:
// the endpoint runs its own io_context on a thread of its own, so scrapes are answered while a
// probe runs; the exposition callback must be thread-safe (MetricsRegistry is). Destruction stops
// the thread and closes the listener.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace cyanrig::cli {

class MetricsEndpoint {
 public:
  // Listening when constructed; throws std::runtime_error naming the address when it cannot bind.
  MetricsEndpoint(const std::string& address, std::uint16_t port, std::function<std::string()> exposition);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT/metrics", with the port actually bound

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// "127.0.0.1:9464" or "[::1]:9464" -> address and port; nothing when it is not of that form.
std::optional<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text);

}  // namespace cyanrig::cli
