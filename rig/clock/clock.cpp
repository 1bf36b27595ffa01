#include "rig/clock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <unordered_map>

namespace cyanrig {

Timer::Timer(Timer&& other) noexcept : clock_(other.clock_), id_(other.id_) {
  other.clock_ = nullptr;
}

Timer& Timer::operator=(Timer&& other) noexcept {
  if (this != &other) {
    cancel();
    clock_ = other.clock_;
    id_ = other.id_;
    other.clock_ = nullptr;
  }
  return *this;
}

void Timer::cancel() {
  if (clock_ != nullptr) clock_->cancel(id_);
  clock_ = nullptr;
}

bool Timer::scheduled() const {
  return clock_ != nullptr && clock_->pending(id_);
}

Timer Clock::at(Instant when, Callback fn) {
  return Timer(this, schedule(when, std::move(fn)));
}

void Clock::post(Callback fn) {
  boost::asio::post(io_, std::move(fn));
}

namespace {

class VirtualClock final : public Clock {
 public:
  Instant now() const override { return now_; }
  bool is_virtual() const override { return true; }

  void run() override {
    stopped_ = false;
    while (!stopped_) {
      io_.restart();
      io_.poll();
      if (stopped_ || queue_.empty()) break;
      auto first = queue_.begin();
      const auto [when, id] = first->first;
      Callback fn = std::move(first->second);
      queue_.erase(first);
      index_.erase(id);
      if (when > now_) now_ = when;
      fn();
    }
  }

  void stop() override { stopped_ = true; }

 protected:
  std::uint64_t schedule(Instant when, Callback fn) override {
    const std::uint64_t id = ++next_id_;
    if (when < now_) when = now_;
    queue_.emplace(std::make_pair(when, id), std::move(fn));
    index_.emplace(id, when);
    return id;
  }

  void cancel(std::uint64_t id) override {
    const auto it = index_.find(id);
    if (it == index_.end()) return;
    queue_.erase(std::make_pair(it->second, id));
    index_.erase(it);
  }

  bool pending(std::uint64_t id) const override { return index_.contains(id); }

 private:
  Instant now_ = run_start();
  bool stopped_ = false;
  std::uint64_t next_id_ = 0;
  std::map<std::pair<Instant, std::uint64_t>, Callback> queue_;
  std::unordered_map<std::uint64_t, Instant> index_;
};

class SteadyClock final : public Clock {
 public:
  Instant now() const override {
    return Instant{std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - origin_)};
  }
  bool is_virtual() const override { return false; }

  void run() override {
    io_.restart();
    io_.run();
  }
  void stop() override { io_.stop(); }

 protected:
  std::uint64_t schedule(Instant when, Callback fn) override {
    const std::uint64_t id = ++next_id_;
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, origin_ + when.time_since_epoch());
    timers_.emplace(id, timer);
    timer->async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled
      if (timers_.erase(id) == 0) return;
      fn();
    });
    return id;
  }

  void cancel(std::uint64_t id) override {
    const auto it = timers_.find(id);
    if (it == timers_.end()) return;
    it->second->cancel();
    timers_.erase(it);
  }

  bool pending(std::uint64_t id) const override { return timers_.contains(id); }

 private:
  std::chrono::steady_clock::time_point origin_ = std::chrono::steady_clock::now();
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace

std::unique_ptr<Clock> make_virtual_clock() {
  return std::make_unique<VirtualClock>();
}
std::unique_ptr<Clock> make_steady_clock() {
  return std::make_unique<SteadyClock>();
}

}  // namespace cyanrig
