#include "tests/cloud/fake_cloud_server.hpp"

#include <fmt/format.h>

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <variant>

namespace cyanrig::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

Scripted respond(int status, const std::string& body, const std::string& extra_headers) {
  return {Scripted::Kind::respond,
          fmt::format("HTTP/1.1 {} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}"
                      "Connection: close\r\n\r\n{}",
                      status, body.size(), extra_headers, body)};
}

Scripted drop() {
  return {Scripted::Kind::drop, ""};
}

Scripted silence() {
  return {Scripted::Kind::silence, ""};
}

Scripted event_stream(const std::string& first_bytes) {
  return {Scripted::Kind::stream,
          "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: "
          "close\r\n\r\n" +
              first_bytes};
}

namespace {

using TlsSocket = asio::ssl::stream<tcp::socket>;

// One accepted connection, plain or TLS.
struct Connection : std::enable_shared_from_this<Connection> {
  using Transport = std::variant<tcp::socket, TlsSocket>;
  Connection(tcp::socket socket, asio::ssl::context* tls)
      : stream(tls != nullptr ? Transport(std::in_place_type<TlsSocket>, std::move(socket), *tls)
                              : Transport(std::in_place_type<tcp::socket>, std::move(socket))) {}
  tcp::socket& socket() {
    return std::visit(
        [](auto& s) -> tcp::socket& {
          if constexpr (std::is_same_v<std::decay_t<decltype(s)>, TlsSocket>) {
            return s.next_layer();
          } else {
            return s;
          }
        },
        stream);
  }
  void close() {
    error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }
  template <typename Handler>
  void write(const std::string& bytes, Handler handler) {
    auto copy = std::make_shared<std::string>(bytes);
    std::visit(
        [&](auto& s) {
          asio::async_write(s, asio::buffer(*copy),
                            [copy, handler](const error_code& ec, std::size_t) { handler(ec); });
        },
        stream);
  }
  Transport stream;
  asio::streambuf in;
};

}  // namespace

struct FakeCloudServer::State : std::enable_shared_from_this<FakeCloudServer::State> {
  State(asio::io_context& io, Script s, std::shared_ptr<asio::ssl::context> t)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        script(std::move(s)),
        tls(std::move(t)) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](const error_code& ec, tcp::socket socket) {
      if (ec || self->stopped) return;
      auto c = std::make_shared<Connection>(std::move(socket), self->tls.get());
      self->all.push_back(c);
      if (self->tls) {
        std::get<TlsSocket>(c->stream).async_handshake(asio::ssl::stream_base::server,
                                                       [self, c](const error_code& e) {
                                                         if (!e) self->read_head(c);
                                                       });
      } else {
        self->read_head(c);
      }
      self->accept();
    });
  }

  void read_head(const std::shared_ptr<Connection>& c) {
    std::visit(
        [&](auto& s) {
          asio::async_read_until(
              s, c->in, "\r\n\r\n", [self = shared_from_this(), c](const error_code& ec, std::size_t n) {
                if (ec || self->stopped) return;
                std::string head(asio::buffers_begin(c->in.data()),
                                 asio::buffers_begin(c->in.data()) + static_cast<std::ptrdiff_t>(n));
                c->in.consume(n);
                self->read_body(c, std::move(head));
              });
        },
        c->stream);
  }

  static std::size_t content_length(const std::string& head) {
    std::string lower = head;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const auto at = lower.find("content-length:");
    if (at == std::string::npos) return 0;
    return std::stoul(head.substr(at + 15));
  }

  void read_body(const std::shared_ptr<Connection>& c, std::string head) {
    const std::size_t wanted = content_length(head);
    if (c->in.size() >= wanted) {
      std::string body(asio::buffers_begin(c->in.data()),
                       asio::buffers_begin(c->in.data()) + static_cast<std::ptrdiff_t>(wanted));
      c->in.consume(wanted);
      return answer(c, std::move(head), std::move(body));
    }
    std::visit(
        [&](auto& s) {
          asio::async_read(s, c->in, asio::transfer_exactly(wanted - c->in.size()),
                           [self = shared_from_this(), c, head](const error_code& ec, std::size_t) mutable {
                             if (ec || self->stopped) return;
                             self->read_body(c, std::move(head));
                           });
        },
        c->stream);
  }

  void answer(const std::shared_ptr<Connection>& c, std::string head, std::string body) {
    SeenRequest seen;
    const auto space = head.find(' ');
    seen.method = head.substr(0, space);
    seen.target = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
    seen.head = std::move(head);
    seen.body = std::move(body);
    requests.push_back(seen);
    const Scripted what = script(seen);
    switch (what.kind) {
      case Scripted::Kind::drop:
        c->close();
        return;
      case Scripted::Kind::silence:
        return;  // held open, never answered
      case Scripted::Kind::stream:
        streams.push_back(c);
        [[fallthrough]];
      case Scripted::Kind::respond:
        c->write(what.raw, [c, close = what.kind == Scripted::Kind::respond](const error_code&) {
          if (close) c->close();
        });
        return;
    }
  }

  tcp::acceptor acceptor;
  Script script;
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<SeenRequest> requests;
  std::vector<std::shared_ptr<Connection>> all;
  std::vector<std::shared_ptr<Connection>> streams;
  bool stopped = false;
};

FakeCloudServer::FakeCloudServer(asio::io_context& io, Script script, std::shared_ptr<asio::ssl::context> tls)
    : state_(std::make_shared<State>(io, std::move(script), std::move(tls))) {
  state_->accept();
}

FakeCloudServer::~FakeCloudServer() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  for (const auto& c : state_->all) c->close();
}

std::uint16_t FakeCloudServer::port() const {
  return state_->acceptor.local_endpoint().port();
}

const std::vector<SeenRequest>& FakeCloudServer::requests() const {
  return state_->requests;
}

std::size_t FakeCloudServer::open_streams() const {
  return state_->streams.size();
}

void FakeCloudServer::push(const std::string& bytes) {
  for (const auto& c : state_->streams) c->write(bytes, [](const error_code&) {});
}

void FakeCloudServer::close_streams() {
  for (const auto& c : state_->streams) c->close();
  state_->streams.clear();
}

}  // namespace cyanrig::test
