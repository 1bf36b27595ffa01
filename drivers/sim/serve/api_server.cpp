#include "drivers/sim/serve/api_server.hpp"

#include <fmt/format.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "drivers/sim/serve/control_api.hpp"
#include "drivers/sim/serve/particle_api.hpp"
#include "drivers/sim/sim_log.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

// Firmware uploads are the largest requests (a Gen 3 application is at most ~256 kB; Gen 4 ~2 MB).
constexpr std::uint64_t kMaxRequestBody = std::uint64_t{16} * 1024 * 1024;
// An idle keep-alive connection is closed after this; a write that makes no progress fails after it.
constexpr auto kIdleTimeout = std::chrono::seconds(60);

// Particle's bodies for the statuses faults inject (particle-reference.md §6).
HttpResponse injected_answer(const ServedFaults& fault) {
  const auto status = static_cast<http::status>(fault.status);
  if (status == http::status::unauthorized) {
    return json_answer(
        status, {{"error", "invalid_token"}, {"error_description", "The access token provided is invalid."}});
  }
  const std::string reason = std::string(http::obsolete_reason(status));
  HttpResponse answer = json_answer(status, {{"ok", false}, {"error", reason.empty() ? "Error" : reason}});
  if (status == http::status::too_many_requests && fault.retry_after > Duration{0}) {
    // Retry-After is whole seconds; round up so a client never comes back early.
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(fault.retry_after).count();
    answer.set(http::field::retry_after, std::to_string(seconds));
  }
  return answer;
}

// One chunk of a chunked response body.
std::string chunk(std::string_view data) {
  return fmt::format("{:x}\r\n{}\r\n", data.size(), data);
}

}  // namespace

class Connection;

// What the server's connections share: the routes, the injected faults, the open event streams.
// Lives on the loop, except for the faults, which any thread may read and change.
class ServedApiState : public std::enable_shared_from_this<ServedApiState> {
 public:
  ServedApiState(Clock& clock, SimWorld& world, ServeOptions options);
  ~ServedApiState();

  void start();
  void shutdown();
  void dispatch(const std::shared_ptr<Connection>& connection, HttpRequest request);

  void inject(const ServedFaults& faults);
  ServedFaults faults() const {
    const std::lock_guard lock(faults_mutex_);
    return faults_;
  }
  bool streams_silent() const { return faults().silent_stream; }
  Duration stream_keepalive() const { return options_.stream_keepalive; }
  std::uint16_t port() const { return port_; }
  const ServeOptions& options() const { return options_; }

 private:
  void accept();
  void broadcast(const CloudEvent& event);
  void drop_streams();
  // The fault that applies to this API request, consumed: a drop, an injected answer, or nothing.
  struct Injected {
    bool drop = false;
    std::optional<ServedFaults> answer;
  };
  Injected take_fault();

  Clock& clock_;
  SimWorld& world_;
  ServeOptions options_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  ParticleApi particle_;
  ControlApi control_;
  std::optional<SimParticleCloud::ListenerId> listener_;
  std::vector<std::weak_ptr<Connection>> connections_;  // to close them all on shutdown
  std::vector<std::weak_ptr<Connection>> streams_;

  mutable std::mutex faults_mutex_;
  ServedFaults faults_;
};

// One client connection: requests answered one at a time (keep-alive honoured), or, once it asks
// for events, a server-sent event stream until either side closes it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::weak_ptr<ServedApiState> server)
      : stream_(std::move(socket)), server_(std::move(server)), keepalive_timer_(stream_.get_executor()) {}

  void start() { read_request(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    keepalive_timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  bool open() const { return !closed_; }
  bool streaming() const { return filter_.has_value(); }
  bool wants(const CloudEvent& event) const { return open() && filter_ && filter_->matches(event); }

  void answer(HttpResponse response) {
    if (closed_) return;
    response.version(request_version_);
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    auto held = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, *held, [self = shared_from_this(), held](beast::error_code ec, std::size_t) {
      if (ec || !self->keep_alive_) return self->close();
      self->read_request();
    });
  }

  // Turns the connection into an event stream: headers, `:ok`, then events and keepalives.
  void open_stream(EventFilter filter, bool silent) {
    filter_ = std::move(filter);
    http::response<http::empty_body> header{http::status::ok, request_version_};
    header.set(http::field::content_type, "text/event-stream");
    header.set(http::field::cache_control, "no-cache");
    header.keep_alive(false);
    header.chunked(true);
    std::ostringstream text;
    text << header.base();
    queue(text.str());
    if (!silent) send(":ok\n\n");
    watch_for_hangup();
    schedule_keepalive();
  }

  // Stream text (events, comments), framed as one chunk.
  void send(std::string_view text) { queue(chunk(text)); }

 private:
  void read_request() {
    if (closed_) return;
    parser_.emplace();
    parser_->body_limit(kMaxRequestBody);
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->continue_if_asked();
                            });
  }

  // curl sends large uploads (firmware) with `Expect: 100-continue` and waits a second for this.
  void continue_if_asked() {
    if (!beast::iequals(parser_->get()[http::field::expect], "100-continue")) return read_body();
    auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    net::async_write(stream_, net::buffer(*interim),
                     [self = shared_from_this(), interim](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();
                       self->read_body();
                     });
  }

  void read_body() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

  void on_request(beast::error_code ec) {
    if (ec) return close();
    stream_.expires_never();  // the simulated cloud may take its time (a 408 comes after ~30 s)
    HttpRequest request = parser_->release();
    keep_alive_ = request.keep_alive();
    request_version_ = request.version();
    const auto server = server_.lock();
    if (!server) return close();
    server->dispatch(shared_from_this(), std::move(request));
  }

  void queue(std::string bytes) {
    if (closed_) return;
    outbox_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void write_next() {
    if (outbox_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    stream_.expires_after(kIdleTimeout);
    net::async_write(stream_, net::buffer(outbox_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();
                       self->outbox_.pop_front();
                       self->write_next();
                     });
  }

  // A stream client never sends anything more; reading tells us when it hangs up.
  void watch_for_hangup() {
    stream_.socket().async_read_some(net::buffer(discard_),
                                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                       if (ec) return self->close();
                                       self->watch_for_hangup();
                                     });
  }

  void schedule_keepalive() {
    const auto server = server_.lock();
    if (!server || closed_) return;
    keepalive_timer_.expires_after(server->stream_keepalive());
    keepalive_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      const auto self = weak.lock();
      if (ec || !self) return;
      const auto state = self->server_.lock();
      if (!state) return self->close();
      if (!state->streams_silent()) self->send(":\n\n");
      self->schedule_keepalive();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::weak_ptr<ServedApiState> server_;
  bool keep_alive_ = false;
  unsigned request_version_ = 11;
  bool closed_ = false;

  std::optional<EventFilter> filter_;  // set once the connection is an event stream
  std::deque<std::string> outbox_;     // stream bytes not yet written, oldest first
  bool writing_ = false;
  net::steady_timer keepalive_timer_;
  std::array<char, 256> discard_{};
};

ServedApiState::ServedApiState(Clock& clock, SimWorld& world, ServeOptions options)
    : clock_(clock),
      world_(world),
      options_(std::move(options)),
      acceptor_(clock.io()),
      particle_(world, options_.token),
      control_(world, ControlApi::FaultAccess{.inject = [this](const ServedFaults& f) { inject(f); },
                                              .current = [this] { return faults(); }}) {
  try {
    const tcp::endpoint endpoint(net::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(
        fmt::format("cannot listen on {}:{}: {}", options_.address, options_.port, e.code().message()));
  }
}

ServedApiState::~ServedApiState() {
  if (listener_) world_.cloud().unsubscribe(*listener_);
}

void ServedApiState::start() {
  listener_ = world_.cloud().subscribe([weak = weak_from_this()](const CloudEvent& event) {
    if (const auto self = weak.lock()) self->broadcast(event);
  });
  accept();
}

void ServedApiState::shutdown() {
  beast::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& weak : connections_) {
    if (const auto connection = weak.lock()) connection->close();
  }
  connections_.clear();
  streams_.clear();
  if (listener_) world_.cloud().unsubscribe(*listener_);
  listener_.reset();
}

void ServedApiState::accept() {
  acceptor_.async_accept([weak = weak_from_this()](beast::error_code ec, tcp::socket socket) {
    const auto self = weak.lock();
    if (!self || !self->acceptor_.is_open()) return;
    if (!ec) {
      auto connection = std::make_shared<Connection>(std::move(socket), weak);
      std::erase_if(self->connections_, [](const auto& c) { return c.expired(); });
      self->connections_.push_back(connection);
      connection->start();
    }
    self->accept();
  });
}

ServedApiState::Injected ServedApiState::take_fault() {
  const std::lock_guard lock(faults_mutex_);
  if (faults_.drop_connections) {
    faults_.drop_connections = false;
    return {.drop = true};
  }
  if (faults_.status == 0 || faults_.count <= 0) return {};
  const ServedFaults answer = faults_;
  if (--faults_.count == 0) {
    faults_.status = 0;
    faults_.retry_after = Duration{0};
  }
  return {.answer = answer};
}

void ServedApiState::dispatch(const std::shared_ptr<Connection>& connection, HttpRequest request) {
  const std::string_view target = text(request.target());
  if (target.starts_with("/sim/")) return connection->answer(control_.handle(request));
  if (!target.starts_with("/v1/")) {
    return connection->answer(json_answer(http::status::not_found, {{"ok", false}, {"error", "Not found"}}));
  }
  // Faults are for the Particle API only: the rig can always lift them through /sim/.
  const Injected fault = take_fault();
  if (fault.drop) {
    sim_log().info("served API: dropping the connection of {} {} (injected)", text(request.method_string()),
                   target);
    return connection->close();
  }
  if (fault.answer) return connection->answer(injected_answer(*fault.answer));
  particle_.handle(
      request, [connection](HttpResponse response) { connection->answer(std::move(response)); },
      [this, connection](EventFilter filter) {
        connection->open_stream(std::move(filter), streams_silent());
        std::erase_if(streams_, [](const auto& s) { return s.expired(); });
        streams_.push_back(connection);
      });
}

void ServedApiState::broadcast(const CloudEvent& event) {
  if (streams_silent()) return;
  const std::string message = event_stream_message(event);
  for (const auto& weak : streams_) {
    const auto stream = weak.lock();
    if (stream && stream->wants(event)) stream->send(message);
  }
}

void ServedApiState::drop_streams() {
  for (const auto& weak : streams_) {
    if (const auto stream = weak.lock()) stream->close();
  }
  streams_.clear();
}

void ServedApiState::inject(const ServedFaults& faults) {
  {
    const std::lock_guard lock(faults_mutex_);
    faults_ = faults;
  }
  sim_log().info("served API: faults now status {} x{} retry-after {}s, silent streams {}, drop {}",
                 faults.status, faults.count,
                 std::chrono::duration_cast<std::chrono::seconds>(faults.retry_after).count(),
                 faults.silent_stream, faults.drop_connections);
  if (faults.drop_connections) {
    net::post(clock_.io(), [weak = weak_from_this()] {
      if (const auto self = weak.lock()) self->drop_streams();
    });
  }
}

}  // namespace detail

ApiServer::ApiServer(Clock& clock, SimWorld& world, ServeOptions options)
    : state_(std::make_shared<detail::ServedApiState>(clock, world, std::move(options))) {
  state_->start();
}

ApiServer::~ApiServer() {
  state_->shutdown();
}

std::uint16_t ApiServer::port() const {
  return state_->port();
}

std::string ApiServer::url() const {
  const std::string& address = state_->options().address;
  // IPv6 literals need brackets in a URL.
  if (address.find(':') != std::string::npos) return fmt::format("http://[{}]:{}", address, port());
  return fmt::format("http://{}:{}", address, port());
}

void ApiServer::inject(const ServedFaults& faults) {
  state_->inject(faults);
}

ServedFaults ApiServer::faults() const {
  return state_->faults();
}

}  // namespace cyanrig::sim
