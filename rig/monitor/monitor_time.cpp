#include "rig/monitor/monitor_time.hpp"

#include <algorithm>
#include <thread>

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

double wall_unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class VirtualTime final : public MonitorTime {
 public:
  VirtualTime() { start_unix_ = wall_unix_now(); }
  Instant now() const override { return now_; }
  void wait_until(Instant t, const std::function<bool()>& wake) override {
    if (!wake()) now_ = std::max(now_, t);
  }
  void passed(Duration d) override { now_ += d; }

 private:
  Instant now_{};
};

class RealTime final : public MonitorTime {
 public:
  RealTime() : origin_(std::chrono::steady_clock::now()) { start_unix_ = wall_unix_now(); }
  Instant now() const override {
    return Instant{std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - origin_)};
  }
  void wait_until(Instant t, const std::function<bool()>& wake) override {
    while (!wake() && now() < t) std::this_thread::sleep_for(std::min<Duration>(100ms, t - now()));
  }
  void passed(Duration) override {}

 private:
  std::chrono::steady_clock::time_point origin_;
};

}  // namespace

double MonitorTime::unix_seconds() const {
  return start_unix_ + to_seconds(now().time_since_epoch());
}

std::unique_ptr<MonitorTime> make_virtual_monitor_time() {
  return std::make_unique<VirtualTime>();
}

std::unique_ptr<MonitorTime> make_real_monitor_time() {
  return std::make_unique<RealTime>();
}

}  // namespace cyanrig::monitor
