// Cloud backend `particle`: the Particle Cloud REST API and its event stream, over HTTPS.
//
// Every request has one deadline (the rack's request_timeout) covering all its attempts; retries
// follow retry_policy.hpp. The token never appears in a reply, a log line, an exception or
// describe().
#pragma once

#include <memory>
#include <set>

#include "drivers/cloud/particle/access_token.hpp"
#include "drivers/cloud/particle/particle_settings.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

class Clock;

// `devices`: the rack's devices; events of any other device on the account are dropped.
// Throws std::runtime_error when the CA file cannot be loaded.
std::unique_ptr<Cloud> make_particle_cloud(Clock& clock, ParticleSettings settings, AccessToken token,
                                           std::set<DeviceId> devices, std::uint64_t seed);

BackendFactory<Cloud> particle_cloud_backend();

}  // namespace cyanrig
