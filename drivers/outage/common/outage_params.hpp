// What the real outage backends share when they are built: the parameters naming where they act
// (an interface, a network namespace), the segment's devices, and the rules every one of them
// follows (real processes need the steady clock; bad parameters become one error message).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {

// A network interface name as the kernel allows it (1 to 15 characters, no '/', no white space).
std::optional<std::string> read_interface(MapReader& params, bool required);
// `netns`: run the backend's tools inside this network namespace (`ip netns exec NAME ...`).
std::string read_netns(MapReader& params);

// A backend that acts on one interface of the Pi (netem, link): {backend, interface, netns}.
struct InterfaceParams {
  std::string interface;
  std::string netns;
};
std::optional<InterfaceParams> read_interface_params(const BackendSpec& spec, Diagnostics& diags,
                                                     const std::string& what);

// The rack's devices on the backend's segment.
std::vector<const RackDevice*> segment_devices(const BackendSite& site, const Rack& rack);
std::string segment_name(const BackendSite& site);

// The backend's parameters, or std::runtime_error with the first problem at file:line:col.
template <typename Params>
Params params_or_throw(std::optional<Params> params, const Diagnostics& diags, std::string_view backend) {
  if (params) return std::move(*params);
  throw std::runtime_error(diags.empty() ? std::string(backend) + ": bad parameters"
                                         : diags.items().front().to_string());
}

// Real processes need real time: the virtual clock would jump straight to every timeout.
void require_steady_clock(const Clock& clock, std::string_view backend);

// The factory of an interface backend: `Switch` is built from (Clock&, InterfaceParams, segment,
// the rack's secret_env).
template <typename Switch>
BackendFactory<OutageSwitch> interface_outage_backend(const std::string& name,
                                                      std::vector<OutageMode> modes) {
  const std::string what = name + " outage backend";
  return {
      .validate = [what](const BackendSite& site,
                         Diagnostics& diags) { read_interface_params(site.spec, diags, what); },
      .create = [name, what](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
        Diagnostics diags;
        InterfaceParams params = params_or_throw(read_interface_params(site.spec, diags, what), diags, what);
        require_steady_clock(ctx.clock(), name);
        return std::make_unique<Switch>(ctx.clock(), std::move(params), segment_name(site),
                                        ctx.rack().secret_env);
      },
      .modes = [modes](const BackendSite&) { return modes; }};
}

}  // namespace cyanrig
