// The run's sense of time and its one event loop.
//
// Ownership: the Clock owns the Boost.Asio io_context that everything on a run shares. A Timer is a
// move-only handle to one scheduled callback; destroying or cancelling it guarantees the callback
// will not run. Callbacks always run on the loop, never inside the call that scheduled them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>

#include "rig/core/time.hpp"

namespace cyanrig {

class Clock;

class Timer {
 public:
  Timer() = default;
  Timer(Timer&& other) noexcept;
  Timer& operator=(Timer&& other) noexcept;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  ~Timer() { cancel(); }

  void cancel();
  // True until the callback has run or been cancelled.
  bool scheduled() const;

 private:
  friend class Clock;
  Timer(Clock* clock, std::uint64_t id) : clock_(clock), id_(id) {}
  Clock* clock_ = nullptr;
  std::uint64_t id_ = 0;
};

class Clock {
 public:
  using Callback = std::function<void()>;

  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  virtual Instant now() const = 0;
  // True for the simulated rack's clock: time jumps from one scheduled callback to the next.
  virtual bool is_virtual() const = 0;

  [[nodiscard]] Timer at(Instant when, Callback fn);
  [[nodiscard]] Timer after(Duration delay, Callback fn) { return at(now() + delay, std::move(fn)); }
  // Run fn on the loop as soon as possible, at the current time, after work already posted.
  void post(Callback fn);

  boost::asio::io_context& io() { return io_; }

  // Runs the loop until stop() is called or nothing is left to do.
  virtual void run() = 0;
  virtual void stop() = 0;

 protected:
  virtual std::uint64_t schedule(Instant when, Callback fn) = 0;
  virtual void cancel(std::uint64_t id) = 0;
  virtual bool pending(std::uint64_t id) const = 0;
  boost::asio::io_context io_;

 private:
  friend class Timer;
};

// Simulated time: advances only when the loop has nothing ready, straight to the next timer.
// Timers due at the same instant run in the order they were scheduled, so a seeded run is
// reproducible event for event.
std::unique_ptr<Clock> make_virtual_clock();
// Hardware time: std::chrono::steady_clock, counted from the clock's creation.
std::unique_ptr<Clock> make_steady_clock();

}  // namespace cyanrig
