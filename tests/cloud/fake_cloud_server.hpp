// A scripted HTTP(S) server on loopback for the Particle client's tests: each request is answered
// by the test's script (a canned response, a dropped connection, silence, or an event stream the
// test writes to), and every request is recorded.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cyanrig::test {

struct SeenRequest {
  std::string method;
  std::string target;
  std::string head;  // request line and headers as received
  std::string body;
};

struct Scripted {
  enum class Kind { respond, drop, silence, stream } kind = Kind::respond;
  std::string raw;  // respond: the whole response; stream: the header and first bytes
};

Scripted respond(int status, const std::string& body, const std::string& extra_headers = "");
Scripted drop();
Scripted silence();
Scripted event_stream(const std::string& first_bytes = ":ok\n\n");

class FakeCloudServer {
 public:
  using Script = std::function<Scripted(const SeenRequest&)>;

  // Plain HTTP, or TLS with the given context (certificate and key loaded) when tls is set.
  FakeCloudServer(boost::asio::io_context& io, Script script,
                  std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~FakeCloudServer();

  std::uint16_t port() const;
  const std::vector<SeenRequest>& requests() const;
  std::size_t open_streams() const;
  // Bytes for every open event stream.
  void push(const std::string& bytes);
  // Closes every open event stream (a dropped connection).
  void close_streams();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace cyanrig::test
