// Every backend compiled into this binary, registered by name. Each backend family adds its
// register_*_backends() call here.
#include "drivers/sim/register.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

const BackendRegistry& BackendRegistry::builtin() {
  static const BackendRegistry registry = [] {
    BackendRegistry r;
    register_sim_backends(r);
    return r;
  }();
  return registry;
}

}  // namespace cyanrig
