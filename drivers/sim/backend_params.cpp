#include "drivers/sim/backend_params.hpp"

#include <string>

namespace cyanrig::sim {

void read_backend_params(const BackendSpec& spec, Diagnostics& diags, std::string_view what,
                         const std::function<void(MapReader&)>& read) {
  if (!spec.params.IsDefined() || !spec.params.IsMap()) return;
  MapReader params(spec.params, spec.loc.file, diags, std::string(what));
  params.node("backend");
  if (read) read(params);
  params.finish();
}

}  // namespace cyanrig::sim
