// One I2C bus and the thread that reads every sensor on it, round-robin by due time.
//
// I2C through i2c-dev blocks (about 0.3 ms for a mux select and a colour burst at 400 kHz), so the
// reads stay off the run's event loop: a 200 Hz sensor would otherwise hold the loop for ~6% of its
// time per sensor, and delay serial timestamps by as much. Sensors on one bus share one thread,
// since their transactions cannot overlap anyway. Clients post their samples to the loop
// themselves (Clock::post is thread-safe).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/led/tcs34725/bus_port.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

class SensorBus {
 public:
  // A sensor on the bus. Both calls come from the bus thread with the bus to itself.
  class Client {
   public:
    virtual Instant due() const = 0;
    virtual void poll(BusPort& port, Instant now) = 0;

   protected:
    ~Client() = default;
  };

  SensorBus(Clock& clock, std::unique_ptr<I2cBus> bus);
  SensorBus(const SensorBus&) = delete;
  SensorBus& operator=(const SensorBus&) = delete;
  ~SensorBus();  // stops and joins the thread; every client must be detached

  // Runs fn(BusPort&) on the calling thread while the reader thread waits.
  template <typename Fn>
  auto exclusive(Fn&& fn) {
    const auto lock = lock_from_outside();
    return fn(port_);
  }
  // From now on the thread polls `client` whenever it is due.
  void attach(Client& client);
  // Once this returns, the thread never calls `client` again.
  void detach(Client& client);

  std::string describe() const { return bus_->describe(); }

 private:
  std::unique_lock<std::mutex> lock_from_outside();
  void run(const std::stop_token& stop);

  Clock& clock_;
  std::unique_ptr<I2cBus> bus_;
  BusPort port_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool changed_ = false;         // clients came or went: recompute the next due time
  std::atomic<int> waiting_{0};  // other threads waiting for the bus: the reader lets them in
  std::vector<Client*> clients_;
  std::jthread thread_;  // last: starts after, and stops before, everything it uses
};

// The run's buses by path, shared by every tcs34725 backend through BackendContext::shared. A bus
// stays open while a sensor uses it.
class SensorBuses {
 public:
  // Opens a bus by path, throwing std::runtime_error with the cause.
  using Opener = std::function<std::unique_ptr<I2cBus>(const std::string& path)>;

  SensorBuses();  // opens /dev/i2c-N through I2cDevBus
  explicit SensorBuses(Opener open) : open_(std::move(open)) {}

  std::shared_ptr<SensorBus> get(Clock& clock, const std::string& path);

 private:
  Opener open_;
  std::map<std::string, std::weak_ptr<SensorBus>> buses_;
};

}  // namespace cyanrig
