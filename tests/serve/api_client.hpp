// A client's view of the served API for the tests: whole requests through the served rack's own
// synchronous client, and event streams read as raw bytes, exactly as they come off the socket.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "drivers/sim/serve/http_client.hpp"
#include "drivers/sim/serve/http_message.hpp"

namespace cyanrig::sim::testing {

inline constexpr const char* kToken = "test-token";

inline HttpResponse request(std::uint16_t port, http::verb method, const std::string& target,
                            const std::string& token = kToken, std::string body = {},
                            const std::string& content_type = "application/x-www-form-urlencoded") {
  HttpRequest r{method, target, 11};
  if (!token.empty()) r.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    r.set(http::field::content_type, content_type);
    r.body() = std::move(body);
  }
  return send_http_request(HttpUrl{"127.0.0.1", std::to_string(port)}, std::move(r),
                           std::chrono::seconds(40));
}

inline nlohmann::json json_of(const HttpResponse& r) {
  return nlohmann::json::parse(r.body(), nullptr, false);
}

// A connection written and read as raw bytes (headers and chunk framing included): event streams,
// and exchanges the synchronous client does not make.
class RawHttpClient {
 public:
  explicit RawHttpClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  void send(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

  // Reads until `text` has arrived, the server closed the stream, or `timeout` passed.
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout) {
    read_while([&] { return received_.find(text) == std::string::npos; }, timeout);
    return received_.find(text) != std::string::npos;
  }
  // Reads whatever arrives during `period`; returns only that.
  std::string read_for(std::chrono::milliseconds period) {
    const std::size_t before = received_.size();
    read_while([] { return true; }, period);
    return received_.substr(before);
  }
  bool closed() const { return closed_; }
  const std::string& received() const { return received_; }

 private:
  template <typename Predicate>
  void read_while(Predicate keep_reading, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!closed_ && keep_reading() && std::chrono::steady_clock::now() < deadline) {
      socket_.async_read_some(boost::asio::buffer(chunk_),
                              [this](boost::system::error_code ec, std::size_t n) {
                                if (ec == boost::asio::error::operation_aborted) return;
                                if (ec) closed_ = true;
                                received_.append(chunk_.data(), n);
                              });
      io_.restart();
      io_.run_until(deadline);
      if (!io_.stopped()) {
        // Time is up with the read still pending: cancel it and let it finish.
        socket_.cancel();
        io_.restart();
        io_.run();
        return;
      }
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::string received_;
  bool closed_ = false;
};

// An open event stream.
class EventStreamClient : public RawHttpClient {
 public:
  EventStreamClient(std::uint16_t port, const std::string& target, const std::string& token = kToken)
      : RawHttpClient(port) {
    send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nAccept: text/event-stream\r\n\r\n");
  }
};

}  // namespace cyanrig::sim::testing
