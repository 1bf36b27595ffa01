// Reading a sim backend's parameters from the rack file: the backend's mapping apart from `backend`.
#pragma once

#include <functional>
#include <string_view>

#include "rig/rack/rack.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::sim {

// Calls `read` with a MapReader over the parameters (it asks for the keys it knows), then reports
// every other key as unknown, at its file:line:col. A rack that names only the backend (no mapping)
// has no parameters and `read` is not called.
void read_backend_params(const BackendSpec& spec, Diagnostics& diags, std::string_view what,
                         const std::function<void(MapReader&)>& read = {});

}  // namespace cyanrig::sim
