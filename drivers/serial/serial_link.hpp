// What the tty and tcp serial transports share: a port that comes and goes.
//
// A Particle device's USB serial port vanishes on every reset, power cycle, sleep and DFU entry and
// comes back (perhaps under another name); a serial server drops its TCP connection when the device
// or the server restarts. SerialLink tells the listener each change once (detached with the cause,
// attached with where), tries again at a fixed interval while the port is away, stamps every chunk
// with the clock's time when its read completes, and keeps every callback on the loop.
//
// The transport supplies `reach`: one attempt to reach the port, answered (now or later, on the
// loop) with attached(stream) or unreachable(reason). Ownership: the link owns the attached stream;
// the transport owns the link.
#pragma once

#include <unistd.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rig/capabilities/serial.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

// A stream being read, whatever its type (descriptor, socket).
class StreamReading {
 public:
  virtual ~StreamReading() = default;
  // No callback runs after this returns; the stream is closed.
  virtual void stop() = 0;
  // Delivers everything already readable, in order, then stops and calls `then` (on the loop).
  virtual void finish(std::function<void()> then) = 0;
};

// Reads one stream until it ends. Asio completes a read cancelled by stop() later (with
// operation_aborted), so each pending read holds the reader, and with it the buffer, alive.
template <typename Stream>
class StreamReader final : public StreamReading, public std::enable_shared_from_this<StreamReader<Stream>> {
 public:
  using OnBytes = std::function<void(std::string_view bytes)>;
  using OnEnd = std::function<void(const boost::system::error_code& why)>;

  static std::shared_ptr<StreamReader> start(Stream stream, OnBytes on_bytes, OnEnd on_end) {
    auto reader = std::make_shared<StreamReader>(std::move(stream), std::move(on_bytes), std::move(on_end));
    reader->read_next();
    return reader;
  }

  // Public for make_shared only; use start().
  StreamReader(Stream stream, OnBytes on_bytes, OnEnd on_end)
      : stream_(std::move(stream)), on_bytes_(std::move(on_bytes)), on_end_(std::move(on_end)) {}

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    boost::system::error_code ignored;
    stream_.close(ignored);
  }

  // The pending read is cancelled: it completes with whatever it already took (or with nothing), so
  // what was read is delivered before what is drained after it.
  void finish(std::function<void()> then) override {
    if (stopped_ || finishing_) return;
    finishing_ = std::move(then);
    boost::system::error_code ignored;
    stream_.cancel(ignored);
  }

 private:
  void read_next() {
    stream_.async_read_some(boost::asio::buffer(buffer_),
                            [self = this->shared_from_this()](const boost::system::error_code& ec,
                                                              std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (stopped_) return;
    if (n > 0) {
      on_bytes_(std::string_view(buffer_.data(), n));
      if (stopped_) return;  // the listener closed the port from inside on_bytes
    }
    if (finishing_) {
      drain();
      stop();
      std::exchange(finishing_, nullptr)();
      return;
    }
    if (ec) {
      stop();
      on_end_(ec);
      return;
    }
    read_next();
  }

  // Reads what the kernel holds for the stream now, without waiting (the descriptor is non-blocking).
  void drain() {
    for (;;) {
      const ssize_t n = ::read(stream_.native_handle(), buffer_.data(), buffer_.size());
      if (n <= 0 || stopped_) return;
      on_bytes_(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
    }
  }

  Stream stream_;
  OnBytes on_bytes_;
  OnEnd on_end_;
  std::function<void()> finishing_;  // set by finish(): stop once the pending read is back
  bool stopped_ = false;
  std::array<char, std::size_t{16} * 1024> buffer_{};
};

// How often an attached port's identity is checked (SerialLink::Moved): a re-pointed port is
// noticed within this, and reopened at once.
inline constexpr Duration kPortIdentityCheck = std::chrono::milliseconds(250);

class SerialLink {
 public:
  using Reach = std::function<void()>;
  // Asked every kPortIdentityCheck while attached: why the port the transport names is no longer the
  // one open (a symlink re-pointed at another tty), or nothing.
  using Moved = std::function<std::optional<std::string>()>;

  // `port` names the port in logs ("tty /dev/ttyACM0"); `retry` is the wait between attempts.
  SerialLink(Clock& clock, std::string port, Duration retry, Reach reach);
  ~SerialLink() { stop(); }
  SerialLink(const SerialLink&) = delete;
  SerialLink& operator=(const SerialLink&) = delete;

  // The first attempt runs on the loop, never inside start().
  void start(SerialPort::Listener listener);
  // Idempotent. No callback runs after it returns; an attached stream is closed. A listener may
  // call it from inside a callback.
  void stop();
  bool started() const { return listener_ != nullptr; }

  // Answers to reach. `where` is reported with the attach ("/dev/ttyACM1"); `hang_up` is the
  // detach reason when the stream ends cleanly (end of file), in the transport's words. With `moved`,
  // a port that moves is drained, reported detached with the reason, and reached again at once.
  template <typename Stream>
  void attached(Stream stream, const std::string& where, std::string_view hang_up, Moved moved = {}) {
    if (!started()) return;
    reader_ = StreamReader<Stream>::start(
        std::move(stream), [this](std::string_view bytes) { deliver(bytes); },
        [this, end_reason = std::string(hang_up)](const boost::system::error_code& why) {
          lost(why == boost::asio::error::eof ? end_reason : "read failed: " + why.message());
        });
    moved_ = std::move(moved);
    now_attached(where);
    check_identity_later();
  }
  void unreachable(const std::string& reason);
  // The port can never work as configured: the listener's on_fault, and no more attempts.
  void fault(const std::string& reason);

 private:
  void deliver(std::string_view bytes);
  void now_attached(const std::string& where);
  void lost(const std::string& reason);
  // Calls on_link; false when the listener closed or reopened the port meanwhile.
  bool tell(bool attached, const std::string& detail);
  void retry_later();
  void check_identity_later();
  void moved_away(const std::string& reason);

  Clock& clock_;
  std::string port_;
  Duration retry_;
  Reach reach_;
  // Shared so that a listener that closes the port from inside a callback does not destroy the
  // callback while it runs.
  std::shared_ptr<const SerialPort::Listener> listener_;
  std::uint64_t session_ = 0;  // bumped by start() and stop()
  std::shared_ptr<StreamReading> reader_;
  Timer retry_timer_;
  Moved moved_;
  Timer identity_timer_;
  bool ever_attached_ = false;  // since start(): a port never seen is worth a warning
  bool complained_ = false;     // one log line per absence, not one per attempt
};

}  // namespace cyanrig
