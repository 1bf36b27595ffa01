// Every backend compiled into this binary, by capability and name. The composition root (cli/) and
// the tests hand this registry to rig/; rig/ itself never knows which backends exist.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

const BackendRegistry& all_backends();

}  // namespace cyanrig
