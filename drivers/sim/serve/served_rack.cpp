#include "drivers/sim/serve/served_rack.hpp"

#include "drivers/sim/sim_log.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {

ServedRack::ServedRack(Rack rack, ServedRackOptions options)
    : rack_(std::move(rack)),
      clock_(make_steady_clock()),
      world_(std::make_shared<SimWorld>(*clock_, rack_, options.seed)) {
  if (options.device_timeout) world_->cloud().set_device_timeout(*options.device_timeout);
  for (const auto& device : world_->devices()) {
    ServedDevice served{.name = device->rack_device().name, .id = device->rack_device().id.str(), .pty = {}};
    if (options.ptys) {
      ptys_.push_back(std::make_unique<DevicePty>(*device));
      served.pty = ptys_.back()->path();
    }
    devices_.push_back(std::move(served));
  }
  server_ = std::make_unique<ApiServer>(*clock_, *world_, std::move(options.serve));
  // A lab's relays sit in the safe state between runs; so do the served rack's supplies.
  if (rack_.safe_power == PowerState::on) {
    for (const auto& device : world_->devices()) device->set_power(PowerState::on);
  }
  sim_log().info("served rack {}: {} devices at {}", rack_.name, devices_.size(), server_->url());
}

ServedRack::~ServedRack() {
  stop();
  if (thread_.joinable()) thread_.join();
  // The loop has stopped: tear down on this thread, server and ptys before the world they use.
  server_.reset();
  ptys_.clear();
  world_.reset();
}

const ServedDevice* ServedRack::find_device(std::string_view name) const {
  for (const ServedDevice& d : devices_) {
    if (d.name == name || d.id == name) return &d;
  }
  return nullptr;
}

void ServedRack::run() {
  clock_->run();
}

void ServedRack::start() {
  thread_ = std::thread([this] { clock_->run(); });
}

void ServedRack::stop() {
  clock_->stop();
  // A stop that lands before the loop thread has entered run() would be undone by run()'s restart;
  // the posted one is not.
  boost::asio::post(clock_->io(), [clock = clock_.get()] { clock->stop(); });
}

}  // namespace cyanrig::sim
