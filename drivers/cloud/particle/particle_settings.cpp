#include "drivers/cloud/particle/particle_settings.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "rig/core/duration_text.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// A positive duration no shorter than `floor`, so a typo ("40ms") cannot hammer the cloud.
void read_timeout(MapReader& params, std::string_view key, Duration floor, Duration& out) {
  const auto value = params.duration(key);
  if (!value) return;
  if (*value < floor) {
    params.error(key, fmt::format("'{}' must be at least {}, found {}", key, format_duration(floor),
                                  format_duration(*value)));
    return;
  }
  out = *value;
}

}  // namespace

std::optional<ParticleSettings> read_particle_settings(const BackendSpec& spec, Diagnostics& diags) {
  ParticleSettings settings;
  if (!spec.params.IsDefined() || !spec.params.IsMap()) return settings;  // `cloud: particle`
  const std::size_t errors_before = diags.size();
  MapReader params(spec.params, spec.loc.file, diags, "particle cloud backend");
  params.node("backend");
  if (const auto url = params.text("url")) {
    auto parsed = parse_api_url(*url);
    if (parsed.url) {
      settings.url = std::move(*parsed.url);
    } else {
      params.error("url", parsed.error);
    }
  }
  if (const auto file = params.text("token_file")) {
    if (file->empty()) {
      params.error("token_file", "'token_file' must name a file holding the access token");
    } else {
      settings.token_file = resolve_rack_path(*file, spec.loc.file);
    }
  }
  if (const auto file = params.text("ca_file")) {
    settings.ca_file = resolve_rack_path(*file, spec.loc.file);
  }
  read_timeout(params, "request_timeout", 100ms, settings.request_timeout);
  read_timeout(params, "stream_idle_timeout", 100ms, settings.stream_idle_timeout);
  params.finish();
  if (diags.size() != errors_before) return std::nullopt;
  return settings;
}

}  // namespace cyanrig
