// The rack file's `cloud: {backend: particle, ...}` section.
#pragma once

#include <filesystem>
#include <optional>

#include "drivers/cloud/particle/api_url.hpp"
#include "rig/rack/rack.hpp"

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

// A path written in the rack file: `~/...` expanded with $HOME, then a relative path taken from
// `rack_file`'s folder (the rack file travels with its token and CA files, not the shell's cwd).
std::filesystem::path resolve_rack_path(std::string_view written, const std::filesystem::path& rack_file);

// Reads and checks the parameters; problems go to diags at file:line:col.
std::optional<ParticleSettings> read_particle_settings(const BackendSpec& spec, Diagnostics& diags);

}  // namespace cyanrig
