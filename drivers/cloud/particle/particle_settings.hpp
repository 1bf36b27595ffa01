// The rack file's `cloud: {backend: particle, ...}` section.
#pragma once

#include <filesystem>
#include <optional>

#include "drivers/cloud/particle/api_url.hpp"
#include "rig/rack/rack.hpp"
#include "rig/rack/rack_file.hpp"  // resolve_rack_path

namespace cyanrig {

struct ParticleSettings {
  ApiUrl url = *parse_api_url("https://api.particle.io").url;
  // Resolved against the rack file's folder; the token itself is only read at run start.
  std::optional<std::filesystem::path> token_file;
  // Every request (with its retries) is answered within this. Longer than the ~30 s the cloud
  // takes to give up on a device it believes online, so its 408 arrives first.
  Duration request_timeout = std::chrono::seconds(40);
  // The event stream is reopened when not a byte (not even a keepalive) came for this long.
  Duration stream_idle_timeout = std::chrono::seconds(90);
  // Certificates to trust instead of the system store (a lab proxy's own CA).
  std::optional<std::filesystem::path> ca_file;
};

// Reads and checks the parameters; problems go to diags at file:line:col.
std::optional<ParticleSettings> read_particle_settings(const BackendSpec& spec, Diagnostics& diags);

}  // namespace cyanrig
