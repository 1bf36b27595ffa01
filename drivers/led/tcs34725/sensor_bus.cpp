#include "drivers/led/tcs34725/sensor_bus.hpp"

#include <algorithm>

#include "drivers/led/tcs34725/i2c_dev_bus.hpp"

namespace cyanrig {

SensorBus::SensorBus(Clock& clock, std::unique_ptr<I2cBus> bus)
    : clock_(clock),
      bus_(std::move(bus)),
      port_(*bus_),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

SensorBus::~SensorBus() {
  thread_.request_stop();  // wakes the condition variable waits, which take the stop token
  thread_.join();
}

std::unique_lock<std::mutex> SensorBus::lock_from_outside() {
  ++waiting_;
  std::unique_lock lock(mutex_);
  --waiting_;
  wake_.notify_all();
  return lock;
}

void SensorBus::attach(Client& client) {
  const auto lock = lock_from_outside();
  clients_.push_back(&client);
  changed_ = true;
}

void SensorBus::detach(Client& client) {
  const auto lock = lock_from_outside();
  std::erase(clients_, &client);
  changed_ = true;
}

void SensorBus::run(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    // A thread waiting to attach, detach or check a sensor goes first: on an overloaded bus the
    // reader would otherwise never give the lock up.
    wake_.wait(lock, stop, [this] { return waiting_ == 0; });
    const auto next = std::min_element(clients_.begin(), clients_.end(),
                                       [](const Client* a, const Client* b) { return a->due() < b->due(); });
    changed_ = false;
    if (next == clients_.end()) {
      wake_.wait(lock, stop, [this] { return changed_; });
      continue;
    }
    const Instant now = clock_.now();
    if ((*next)->due() > now) {
      wake_.wait_for(lock, stop, (*next)->due() - now, [this] { return changed_ || waiting_ > 0; });
      continue;
    }
    (*next)->poll(port_, now);
  }
}

SensorBuses::SensorBuses()
    : open_([](const std::string& path) -> std::unique_ptr<I2cBus> { return I2cDevBus::open(path); }) {}

std::shared_ptr<SensorBus> SensorBuses::get(Clock& clock, const std::string& path) {
  if (auto bus = buses_[path].lock()) return bus;
  auto bus = std::make_shared<SensorBus>(clock, open_(path));
  buses_[path] = bus;
  return bus;
}

}  // namespace cyanrig
