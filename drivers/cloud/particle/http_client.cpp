#include "drivers/cloud/particle/http_client.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <stdexcept>
#include <variant>

#include "rig/clock.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

// Device info and variable replies are small; a proxy's endless error page must not fill memory.
constexpr std::size_t kMaxAnswerBytes = std::size_t{8} * 1024 * 1024;

bool is_ip_address(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::shared_ptr<asio::ssl::context> make_tls_context(const std::optional<std::filesystem::path>& ca_file) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  // The Particle API requires TLS 1.2+; older versions are not offered at all.
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_verify_mode(asio::ssl::verify_peer);
  error_code ec;
  if (ca_file) {
    tls->load_verify_file(ca_file->string(), ec);
    if (ec) {
      throw std::runtime_error(
          fmt::format("cannot load the CA file {}: {}", ca_file->string(), ec.message()));
    }
  } else {
    tls->set_default_verify_paths(ec);
    if (ec) throw std::runtime_error(fmt::format("cannot load the system CA store: {}", ec.message()));
  }
  return tls;
}

}  // namespace

// One request and its answer on one connection: resolve, connect, TLS handshake, write, read the
// header, read the body (all of it, or piece by piece for a stream).
class HttpClient::Exchange : public std::enable_shared_from_this<HttpClient::Exchange> {
 public:
  Exchange(Clock& clock, const ApiUrl& url, std::shared_ptr<asio::ssl::context> tls, HttpRequest request)
      : clock_(clock),
        url_(url),
        tls_(std::move(tls)),
        resolver_(clock.io()),
        stream_(tls_ ? Transport(std::in_place_type<TlsStream>, clock.io(), *tls_)
                     : Transport(std::in_place_type<PlainStream>, clock.io())) {
    request_.method(request.method);
    request_.target(request.target);
    request_.version(11);
    request_.set(http::field::host, url_.host_header());
    request_.set(http::field::user_agent, "cyanrig");
    request_.set(http::field::accept, request.accept);
    request_.set(http::field::authorization, request.authorization);
    // One connection per exchange: no pooled socket can go stale between a run's steps.
    request_.keep_alive(false);
    if (!request.content_type.empty()) request_.set(http::field::content_type, request.content_type);
    if (!request.body.empty() || request.method == http::verb::post || request.method == http::verb::put) {
      request_.body() = std::move(request.body);
      request_.prepare_payload();
    }
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
  }

  void send(Instant deadline, std::function<void(HttpAnswer)> done) {
    done_ = std::move(done);
    start(deadline);
  }

  void stream(Instant open_deadline, Duration idle_timeout, StreamListener listener) {
    idle_timeout_ = idle_timeout;
    listener_ = std::move(listener);
    streaming_ = true;
    start(open_deadline);
  }

  // No callback runs after this; the socket is closed so pending operations end soon.
  void abandon() {
    if (abandoned_) return;
    abandoned_ = true;
    timer_.cancel();
    resolver_.cancel();
    error_code ignored;
    tcp_socket().socket().close(ignored);
  }

 private:
  using PlainStream = beast::tcp_stream;
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;
  using Transport = std::variant<PlainStream, TlsStream>;

  beast::tcp_stream& tcp_socket() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); }, stream_);
  }
  std::string where() const { return fmt::format("{}:{}", url_.host, url_.port); }

  void start(Instant deadline) {
    timer_ = clock_.at(deadline, [this] {
      answer_.deadline_passed = true;
      fail(fmt::format("no answer from {}", where()));
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](const error_code& ec, tcp::resolver::results_type found) {
          if (self->abandoned_) return;
          if (ec) return self->fail(fmt::format("cannot resolve {}: {}", self->url_.host, ec.message()));
          self->connect(found);
        });
  }

  void connect(const tcp::resolver::results_type& endpoints) {
    tcp_socket().async_connect(
        endpoints, [self = shared_from_this()](const error_code& ec, const tcp::endpoint&) {
          if (self->abandoned_) return;
          if (ec) return self->fail(fmt::format("cannot connect to {}: {}", self->where(), ec.message()));
          if (self->tls_) return self->handshake();
          self->write();
        });
  }

  void handshake() {
    auto& tls = std::get<TlsStream>(stream_);
    SSL* ssl = tls.native_handle();
    if (is_ip_address(url_.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url_.host.c_str());
    } else {
      // SNI (the macro SSL_set_tlsext_host_name spelled out: it casts away const C-style).
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url_.host.c_str()));
      SSL_set1_host(ssl, url_.host.c_str());
    }
    tls.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const error_code& ec) {
      if (self->abandoned_) return;
      if (ec)
        return self->fail(
            fmt::format("TLS handshake with {} failed: {}", self->where(), self->tls_error(ec)));
      self->write();
    });
  }

  // The handshake's error, with the certificate check's verdict when that is what failed.
  std::string tls_error(const error_code& ec) {
    const long verify = SSL_get_verify_result(std::get<TlsStream>(stream_).native_handle());
    if (verify == X509_V_OK) return ec.message();
    return fmt::format("certificate not trusted ({})", X509_verify_cert_error_string(verify));
  }

  void write() {
    // From here on the server may have received the request and acted on it.
    answer_.request_sent = true;
    std::visit(
        [self = shared_from_this()](auto& s) {
          http::async_write(s, self->request_, [self](const error_code& ec, std::size_t) {
            if (self->abandoned_) return;
            if (ec)
              return self->fail(
                  fmt::format("connection to {} lost while sending: {}", self->where(), ec.message()));
            self->read_header();
          });
        },
        stream_);
  }

  void read_header() {
    std::visit(
        [self = shared_from_this()](auto& s) {
          http::async_read_header(s, self->buffer_, self->parser_, [self](const error_code& ec, std::size_t) {
            if (self->abandoned_) return;
            if (ec)
              return self->fail(
                  fmt::format("connection to {} lost before the answer: {}", self->where(), ec.message()));
            self->on_header();
          });
        },
        stream_);
  }

  void on_header() {
    const auto& header = parser_.get();
    answer_.status = static_cast<int>(header.result_int());
    if (const auto it = header.find(http::field::retry_after); it != header.end()) {
      answer_.retry_after = std::string(it->value());
    }
    if (streaming_ && answer_.status == 200) {
      delivering_ = true;
      arm_idle_timer();
      if (listener_.on_open) listener_.on_open();
      if (abandoned_) return;
    }
    read_body();
  }

  void read_body() {
    if (parser_.is_done()) return complete();
    auto& body = parser_.get().body();
    body.data = chunk_.data();
    body.size = chunk_.size();
    std::visit(
        [self = shared_from_this()](auto& s) {
          http::async_read_some(s, self->buffer_, self->parser_,
                                [self](const error_code& ec, std::size_t) { self->on_body(ec); });
        },
        stream_);
  }

  void on_body(error_code ec) {
    if (abandoned_) return;
    if (ec == http::error::need_buffer) ec = {};
    const std::size_t got = chunk_.size() - parser_.get().body().size;
    if (got > 0 && !take(std::string_view(chunk_.data(), got))) return;
    if (ec) return fail(fmt::format("connection to {} lost during the answer: {}", where(), ec.message()));
    read_body();
  }

  // False when the exchange ended while taking the bytes.
  bool take(std::string_view bytes) {
    if (!delivering_) {
      if (answer_.body.size() + bytes.size() > kMaxAnswerBytes) {
        fail(fmt::format("the answer from {} is larger than {} bytes", where(), kMaxAnswerBytes));
        return false;
      }
      answer_.body.append(bytes);
      return true;
    }
    arm_idle_timer();
    if (listener_.on_bytes) listener_.on_bytes(bytes);
    return !abandoned_;
  }

  void arm_idle_timer() {
    timer_ = clock_.after(idle_timeout_, [this] {
      fail(fmt::format("no bytes from {} for {}", where(), format_duration(idle_timeout_)));
    });
  }

  void complete() {
    if (delivering_) return fail(fmt::format("{} closed the stream", where()));
    finish();
  }

  void fail(std::string why) {
    answer_.failure = std::move(why);
    finish();
  }

  void finish() {
    if (abandoned_) return;
    auto self = shared_from_this();  // the callback may drop the last other reference
    abandon();
    if (streaming_) {
      if (listener_.on_end) listener_.on_end(answer_);
    } else if (done_) {
      done_(std::move(answer_));
    }
  }

  Clock& clock_;
  const ApiUrl url_;
  std::shared_ptr<asio::ssl::context> tls_;
  tcp::resolver resolver_;
  Transport stream_;
  http::request<http::string_body> request_;
  http::response_parser<http::buffer_body> parser_;
  beast::flat_buffer buffer_;
  std::array<char, 8192> chunk_{};
  HttpAnswer answer_;
  Timer timer_;
  bool abandoned_ = false;
  bool streaming_ = false;
  bool delivering_ = false;  // a stream's body is being handed to the listener
  Duration idle_timeout_{};
  std::function<void(HttpAnswer)> done_;
  StreamListener listener_;
};

HttpClient::Stream& HttpClient::Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    close();
    exchange_ = std::move(other.exchange_);
  }
  return *this;
}

void HttpClient::Stream::close() {
  if (exchange_) exchange_->abandon();
  exchange_.reset();
}

HttpClient::HttpClient(Clock& clock, ApiUrl url, const std::optional<std::filesystem::path>& ca_file)
    : clock_(clock), url_(std::move(url)) {
  if (url_.tls) tls_ = make_tls_context(ca_file);
}

HttpClient::~HttpClient() {
  for (const auto& weak : exchanges_) {
    if (const auto exchange = weak.lock()) exchange->abandon();
  }
}

std::shared_ptr<HttpClient::Exchange> HttpClient::start(HttpRequest request) {
  std::erase_if(exchanges_, [](const auto& weak) { return weak.expired(); });
  auto exchange = std::make_shared<Exchange>(clock_, url_, tls_, std::move(request));
  exchanges_.push_back(exchange);
  return exchange;
}

void HttpClient::send(HttpRequest request, Instant deadline, std::function<void(HttpAnswer)> done) {
  start(std::move(request))->send(deadline, std::move(done));
}

HttpClient::Stream HttpClient::stream(HttpRequest request, Instant open_deadline, Duration idle_timeout,
                                      StreamListener listener) {
  auto exchange = start(std::move(request));
  exchange->stream(open_deadline, idle_timeout, std::move(listener));
  return Stream(std::move(exchange));
}

}  // namespace cyanrig
