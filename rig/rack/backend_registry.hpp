// Builds capability backends by the name a rack file gives them ("sim", "gpiod", ...).
//
// Each backend folder under drivers/ registers a factory: a validator that checks its parameters
// (reporting file:line:col problems without touching hardware) and a constructor. Ownership: the
// registry hands out unique_ptrs; the caller owns the backend for the run.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <typeindex>
#include <vector>

#include "rig/capabilities/cloud.hpp"
#include "rig/capabilities/colour_sensor.hpp"
#include "rig/capabilities/dfu_flasher.hpp"
#include "rig/capabilities/outage.hpp"
#include "rig/capabilities/power.hpp"
#include "rig/capabilities/serial.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

class Clock;

// What a backend may use while being built. `shared` lets backends of one kind share a resource
// (one I2C bus for several sensors, one simulated world for every sim backend).
class BackendContext {
 public:
  BackendContext(Clock& clock, const Rack& rack, std::uint64_t seed)
      : clock_(clock), rack_(rack), seed_(seed) {}
  Clock& clock() const { return clock_; }
  const Rack& rack() const { return rack_; }
  std::uint64_t seed() const { return seed_; }

  template <typename T>
  T& shared(const std::function<std::shared_ptr<T>()>& make) {
    auto& slot = shared_[std::type_index(typeid(T))];
    if (!slot.has_value()) slot = make();
    return *std::any_cast<std::shared_ptr<T>&>(slot);
  }

 private:
  Clock& clock_;
  const Rack& rack_;
  std::uint64_t seed_;
  std::map<std::type_index, std::any> shared_;
};

// Where a per-segment or rack-wide backend lives: device is null for segment and cloud backends.
struct BackendSite {
  const BackendSpec& spec;
  const RackDevice* device = nullptr;
  const Segment* segment = nullptr;
};

// Something in the lab only one backend may use: a gpio line, a serial port, an I2C mux channel.
// Two claims with the same key in one rack are reported at both places (rack_file.hpp).
struct ResourceClaim {
  std::string key;   // compared as is: "gpio gpiochip0 17", "serial /dev/ttyACM0"
  std::string what;  // for the message: "gpio line 17 of gpiochip0"
  SourceLoc loc;     // where the rack file names it
};

template <typename Capability>
struct BackendFactory {
  // True for backends that live in simulated time (the sim backends, test fakes): a rack made only
  // of such backends runs on the virtual clock.
  bool virtual_time = false;
  std::function<void(const BackendSite&, Diagnostics&)> validate;
  // May throw std::runtime_error with a message naming the cause; the caller adds the device. Empty
  // for a factory that only says, through `validate`, why this backend cannot (tcp has no DFU flasher).
  std::function<std::unique_ptr<Capability>(const BackendSite&, BackendContext&)> create;
  // Outage backends only: the outage modes this backend performs with these parameters. The engine
  // hands each outage step to the first of its segment's backends that declares the step's mode.
  std::function<std::vector<OutageMode>(const BackendSite&)> modes;
  // What these parameters claim in the lab (empty for backends that claim nothing, like sim). Called
  // only for parameters that validate.
  std::function<std::vector<ResourceClaim>(const BackendSite&)> claims;
};

class BackendRegistry {
 public:
  template <typename Capability>
  void add(const std::string& name, BackendFactory<Capability> factory) {
    table_of<Capability>(*this)[name] = std::move(factory);
  }

  template <typename Capability>
  const BackendFactory<Capability>* find(const std::string& name) const {
    const auto& t = table_of<Capability>(*this);
    const auto it = t.find(name);
    return it == t.end() ? nullptr : &it->second;
  }

  // The names of the backends that can build one (a factory without `create` only explains why not).
  template <typename Capability>
  std::string names() const {
    std::string out;
    for (const auto& [name, factory] : table_of<Capability>(*this)) {
      if (factory.create) out += (out.empty() ? "" : ", ") + name;
    }
    return out;
  }

 private:
  // One table per capability; Self is BackendRegistry or const BackendRegistry.
  template <typename Capability, typename Self>
  static auto& table_of(Self& self) {
    if constexpr (std::is_same_v<Capability, PowerSwitch>)
      return self.power_;
    else if constexpr (std::is_same_v<Capability, SerialPort>)
      return self.serial_;
    else if constexpr (std::is_same_v<Capability, ColourSensor>)
      return self.led_;
    else if constexpr (std::is_same_v<Capability, OutageSwitch>)
      return self.outage_;
    else if constexpr (std::is_same_v<Capability, DfuFlasher>)
      return self.dfu_;
    else
      return self.cloud_;
  }
  std::map<std::string, BackendFactory<PowerSwitch>> power_;
  std::map<std::string, BackendFactory<SerialPort>> serial_;
  std::map<std::string, BackendFactory<ColourSensor>> led_;
  std::map<std::string, BackendFactory<OutageSwitch>> outage_;
  std::map<std::string, BackendFactory<Cloud>> cloud_;
  // Keyed by the serial backend's name: the DFU flasher a device's serial backend provides.
  std::map<std::string, BackendFactory<DfuFlasher>> dfu_;
};

}  // namespace cyanrig
