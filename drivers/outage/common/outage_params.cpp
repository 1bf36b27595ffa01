#include "drivers/outage/common/outage_params.hpp"

#include <fmt/format.h>

namespace cyanrig {
namespace {

constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1

bool is_interface_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxInterfaceName &&
         name.find_first_of("/ \t\n'\"") == std::string_view::npos && name != "." && name != "..";
}

}  // namespace

std::optional<std::string> read_interface(MapReader& params, bool required) {
  auto name = params.text("interface", required);
  if (name && !is_interface_name(*name)) {
    params.error(
        "interface",
        fmt::format("'interface' must be a network interface name such as wlan0 (1 to {} characters, "
                    "no '/' or spaces), found '{}'",
                    kMaxInterfaceName, *name));
    return std::nullopt;
  }
  return name;
}

std::optional<InterfaceParams> read_interface_params(const BackendSpec& spec, Diagnostics& diags,
                                                     const std::string& what) {
  MapReader params(spec.params, spec.loc.file, diags, what);
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  const auto interface = read_interface(params, true);
  InterfaceParams out{.netns = read_netns(params)};
  params.finish();
  if (!interface || diags.size() != errors_before) return std::nullopt;
  out.interface = *interface;
  return out;
}

std::string read_netns(MapReader& params) {
  auto name = params.text("netns");
  if (!name) return {};
  if (name->empty() || name->find_first_of("/ \t\n'\"") != std::string::npos) {
    params.error("netns", fmt::format("'netns' must name a network namespace (as `ip netns list` shows "
                                      "it), found '{}'",
                                      *name));
    return {};
  }
  return *name;
}

std::vector<const RackDevice*> segment_devices(const BackendSite& site, const Rack& rack) {
  std::vector<const RackDevice*> out;
  if (site.segment == nullptr) return out;
  for (const RackDevice& device : rack.devices) {
    if (device.segment == site.segment->name) out.push_back(&device);
  }
  return out;
}

std::string segment_name(const BackendSite& site) {
  return site.segment != nullptr ? site.segment->name : "?";
}

void require_steady_clock(const Clock& clock, std::string_view backend) {
  if (clock.is_virtual()) {
    throw std::runtime_error(fmt::format(
        "the {} outage backend runs real processes and needs the steady clock, not the simulated one",
        backend));
  }
}

}  // namespace cyanrig
