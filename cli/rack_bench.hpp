// What a command that drives some of the rack's backends itself, outside a run, works with: the rack,
// its clock and one BackendContext (so backends share what a run would let them share), backends
// built by name, and waiting on the loop for their answers within a limit.
//
// Ownership: the bench owns the rack, the clock and the context; the caller owns the backends it
// builds and must destroy them before the bench (declare them after it).
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "cli/rack_choice.hpp"
#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig::cli {

class RackBench {
 public:
  explicit RackBench(Rack rack);

  const Rack& rack() const { return *rack_; }
  Clock& clock() { return *clock_; }
  BackendContext& context() { return *context_; }

  // The backend, or null with the reason printed as "cyanrig: LABEL: why".
  template <typename Capability>
  std::unique_ptr<Capability> build(const BackendSite& site, const std::string& label) {
    const auto* factory = backends().find<Capability>(site.spec.backend);
    try {
      if (factory == nullptr)
        throw std::runtime_error("no backend '" + site.spec.backend + "' in this build");
      return factory->create(site, *context_);
    } catch (const std::exception& e) {
      fmt::print(stderr, "cyanrig: {}: {}\n", label, e.what());
      return nullptr;
    }
  }

  // Starts `request` on the loop and runs the loop until it answers; a fault naming the limit when
  // it has not answered within `limit`.
  Status await(const std::function<void(Done)>& request, Duration limit = kBackendAnswerLimit);

 private:
  std::unique_ptr<Rack> rack_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<BackendContext> context_;
};

}  // namespace cyanrig::cli
