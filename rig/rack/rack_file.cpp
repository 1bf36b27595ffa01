#include "rig/rack/rack_file.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <stdexcept>

#include "rig/rack/builtin_sim_rack.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// Device names become file names (serial/<name>.log) and appear in JUnit case names.
bool is_plain_name(const std::string& name) {
  static const std::regex kPlain("[A-Za-z0-9][A-Za-z0-9_.-]*");
  return std::regex_match(name, kPlain);
}

bool is_ip_address(const std::string& text) {
  in6_addr buffer{};
  return inet_pton(AF_INET, text.c_str(), &buffer) == 1 || inet_pton(AF_INET6, text.c_str(), &buffer) == 1;
}

bool is_mac_address(const std::string& text) {
  static const std::regex kMac("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}");
  return std::regex_match(text, kMac);
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A backend block: `{backend: NAME, ...params}`. Device-level blocks are merged over `defaults`.
std::optional<BackendSpec> read_backend(const YAML::Node& node, const YAML::Node& fallback,
                                        const std::string& file, Diagnostics& diags,
                                        const std::string& what) {
  YAML::Node chosen = node.IsDefined() && !node.IsNull() ? node : fallback;
  if (!chosen.IsDefined() || chosen.IsNull()) return std::nullopt;
  if (!chosen.IsMap()) {
    diags.error(loc_of(chosen, file), fmt::format("{} must be a mapping with a 'backend' field, found {}",
                                                  what, node_kind(chosen)));
    return std::nullopt;
  }
  const YAML::Node name = chosen["backend"];
  if (!name.IsDefined() || !name.IsScalar()) {
    diags.error(loc_of(chosen, file), fmt::format("{} needs 'backend' (e.g. backend: sim)", what));
    return std::nullopt;
  }
  return BackendSpec{name.Scalar(), chosen, loc_of(chosen, file)};
}

// `outage:` is one backend block or a list of them.
std::vector<BackendSpec> read_outage_backends(const YAML::Node& node, const std::string& file,
                                              Diagnostics& diags, const std::string& segment) {
  const std::string what = fmt::format("outage of segment '{}'", segment);
  std::vector<BackendSpec> out;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (auto spec = read_backend(item, YAML::Node(), file, diags, what)) out.push_back(std::move(*spec));
    }
  } else if (auto spec = read_backend(node, YAML::Node(), file, diags, what)) {
    out.push_back(std::move(*spec));
  }
  return out;
}

std::vector<FaultSpec> read_faults(const YAML::Node& node, const std::string& file, Diagnostics& diags) {
  std::vector<FaultSpec> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsMap()) {
    diags.error(
        loc_of(node, file),
        fmt::format("faults must be a mapping of fault name to probability, found {}", node_kind(node)));
    return out;
  }
  for (const auto& kv : node) {
    FaultSpec f;
    f.name = kv.first.Scalar();
    f.loc = loc_of(kv.first, file);
    const YAML::Node& value = kv.second;
    YAML::Node probability = value;
    if (value.IsMap()) {
      f.params = value;
      probability = value["probability"];
      if (!probability.IsDefined()) {
        diags.error(loc_of(value, file), fmt::format("fault '{}' needs 'probability' (0 to 1)", f.name));
        continue;
      }
    }
    const auto text = scalar_text(probability, file, diags, fmt::format("probability of fault '{}'", f.name));
    if (!text) continue;
    char* end = nullptr;
    const double p = std::strtod(text->c_str(), &end);
    if (text->empty() || end != text->c_str() + text->size() || p < 0 || p > 1) {
      diags.error(
          loc_of(probability, file),
          fmt::format("probability of fault '{}' must be a number from 0 to 1, found '{}'", f.name, *text));
      continue;
    }
    f.probability = p;
    out.push_back(std::move(f));
  }
  return out;
}

void read_devices(const YAML::Node& list, const YAML::Node& defaults, const std::string& file, Rack& rack,
                  Diagnostics& diags) {
  std::set<std::string> names;
  std::set<std::string> ids;
  for (const YAML::Node& item : list) {
    MapReader r(item, file, diags, "device");
    if (!r.valid()) continue;
    const auto name = r.text("name", true);
    const auto id_text = r.text("id", true);
    const auto platform = r.text("platform", true);
    RackDevice d;
    d.loc = r.loc();
    bool ok = name && id_text && platform;
    if (name) {
      d.name = *name;
      if (!is_plain_name(*name)) {
        r.error("name",
                fmt::format("device name '{}' may use only letters, digits, '_', '.' and '-'", *name));
        ok = false;
      } else if (!names.insert(*name).second) {
        r.error("name", fmt::format("device name '{}' is used twice", *name));
        ok = false;
      }
    }
    if (id_text) {
      if (auto id = DeviceId::parse(*id_text)) {
        d.id = *id;
        if (!ids.insert(id->str()).second) {
          r.error("id", fmt::format("device id {} is used twice", id->str()));
          ok = false;
        }
      } else {
        r.error("id", fmt::format("device id '{}' must be 24 hex characters", *id_text));
        ok = false;
      }
    }
    if (platform) {
      d.platform = find_platform(*platform);
      if (d.platform == nullptr) {
        r.error("platform", fmt::format("unknown platform '{}'; known: {}", *platform, platform_names()));
        ok = false;
      }
    }
    d.tags = r.text_list("tags");
    if (auto seg = r.text("segment")) {
      d.segment = *seg;
      if (rack.find_segment(*seg) == nullptr) {
        r.error("segment", fmt::format("segment '{}' is not declared under segments", *seg));
        ok = false;
      }
    }
    d.firmware = r.text("firmware").value_or("");
    if (auto ip = r.text("ip")) {
      if (is_ip_address(*ip)) {
        d.ip = *ip;
      } else {
        r.error("ip", fmt::format("'{}' is not an IPv4 or IPv6 address", *ip));
      }
    }
    if (auto mac = r.text("mac")) {
      if (is_mac_address(*mac)) {
        d.mac = lowercase(*mac);
      } else {
        r.error("mac", fmt::format("'{}' is not a MAC address (six hex pairs: e0:4f:43:12:34:56)", *mac));
      }
    }
    d.min_off = r.duration("min_off");
    const auto backend = [&](const char* key, const char* what) {
      return read_backend(r.node(key), defaults.IsMap() ? defaults[key] : YAML::Node(), file, diags,
                          fmt::format("{} of device '{}'", what, d.name));
    };
    d.power = backend("power", "power");
    d.serial = backend("serial", "serial");
    d.led = backend("led", "led sensor");
    d.faults = read_faults(r.node("faults"), file, diags);
    r.finish();
    if (ok) rack.devices.push_back(std::move(d));
  }
}

}  // namespace

std::vector<EventPattern> read_event_patterns(const YAML::Node& node, const std::string& file,
                                              Diagnostics& diags) {
  std::vector<EventPattern> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) {
    diags.error(loc_of(node, file), "'patterns' must be a list of {event: name, regex: '...'}");
    return out;
  }
  for (const YAML::Node& item : node) {
    MapReader p(item, file, diags, "pattern");
    const auto event = p.text("event", true);
    const auto regex = p.text("regex", true);
    p.finish();
    if (!event || !regex) continue;
    try {
      std::regex compiled(*regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      p.error("regex", fmt::format("bad regular expression '{}': {}", *regex, e.what()));
      continue;
    }
    if (!is_identifier(*event)) {
      p.error("event", fmt::format("event name '{}' {}", *event, identifier_rule));
      continue;
    }
    out.push_back({*regex, *event, p.loc()});
  }
  return out;
}

std::optional<Rack> parse_rack(const std::string& text, const std::string& file, Diagnostics& diags) {
  const auto root = load_yaml_text(text, file, diags);
  if (!root) return std::nullopt;
  return read_rack(*root, file, diags);
}

std::optional<Rack> read_rack(const YAML::Node& root, const std::string& file, Diagnostics& diags) {
  const std::size_t errors_before = diags.size();
  MapReader r(root, file, diags, "rack file");
  if (!r.valid()) return std::nullopt;
  Rack rack;
  rack.file = file;
  rack.name = r.text("rack", true).value_or("");
  if (auto safe = r.choice("safe_power", {"off", "on"}, true)) {
    rack.safe_power = *safe == "on" ? PowerState::on : PowerState::off;
  }
  const YAML::Node segments = r.node("segments");
  if (segments.IsDefined() && !segments.IsNull()) {
    if (!segments.IsSequence()) {
      r.error("segments", "segments must be a list");
    } else {
      for (const YAML::Node& item : segments) {
        MapReader s(item, file, diags, "segment");
        if (!s.valid()) continue;
        Segment seg;
        seg.loc = s.loc();
        seg.name = s.text("name", true).value_or("");
        if (!seg.name.empty() && rack.find_segment(seg.name) != nullptr) {
          s.error("name", fmt::format("segment '{}' is declared twice", seg.name));
        }
        const std::size_t errors_before_outage = diags.size();
        seg.outages = read_outage_backends(s.node("outage"), file, diags, seg.name);
        if (seg.outages.empty() && diags.size() == errors_before_outage) {
          diags.error(seg.loc, fmt::format("segment '{}' needs an 'outage' backend", seg.name));
        }
        if (const auto within = s.duration("effect_within")) seg.effect_within = *within;
        s.finish();
        if (!seg.outages.empty() && !seg.name.empty()) rack.segments.push_back(std::move(seg));
      }
    }
  }
  rack.cloud = read_backend(r.node("cloud"), YAML::Node(), file, diags, "cloud");
  const YAML::Node power = r.node("power");
  if (power.IsDefined() && !power.IsNull()) {
    MapReader pr(power, file, diags, "power");
    rack.min_off = pr.duration("min_off").value_or(rack.min_off);
    rack.power_on_spacing = pr.duration("on_spacing").value_or(rack.power_on_spacing);
    pr.finish();
  }
  rack.patterns = read_event_patterns(r.node("patterns"), file, diags);
  const YAML::Node defaults = r.node("defaults");
  if (defaults.IsDefined() && !defaults.IsNull()) {
    MapReader dr(defaults, file, diags, "defaults");
    dr.node("power");
    dr.node("serial");
    dr.node("led");
    dr.finish();
  }
  const YAML::Node devices = r.node("devices");
  if (!devices.IsDefined() || !devices.IsSequence() || devices.size() == 0) {
    r.error("devices", "a rack needs 'devices': a list with at least one device");
  } else {
    read_devices(devices, defaults, file, rack, diags);
  }
  r.finish();
  if (diags.size() != errors_before) return std::nullopt;
  return rack;
}

bool is_rack_document(const YAML::Node& root) {
  if (!root.IsMap()) return false;
  for (const auto& kv : root) {
    if (kv.first.Scalar() == "rack") return true;
  }
  return false;
}

std::optional<Rack> load_rack_file(const std::string& path, Diagnostics& diags) {
  const auto text = read_text_file(path, diags);
  if (!text) return std::nullopt;
  return parse_rack(*text, path, diags);
}

Rack builtin_sim_rack() {
  Diagnostics diags;
  auto rack = parse_rack(kBuiltinSimRackYaml, kBuiltinRackName, diags);
  if (!rack) {
    // The text is compiled in from scenarios/racks/sim.yaml and covered by tests: a bug, not input.
    throw std::logic_error("built-in simulated rack does not parse: " + diags.items().front().to_string());
  }
  return *rack;
}

namespace {

template <typename Capability>
void validate_one(const BackendRegistry& registry, const BackendSite& site, const std::string& capability,
                  const std::string& file, Diagnostics& diags) {
  const auto* factory = registry.find<Capability>(site.spec.backend);
  if (factory == nullptr) {
    diags.error(loc_of(site.spec.params["backend"], file),
                fmt::format("unknown {} backend '{}'; available: {}", capability, site.spec.backend,
                            registry.names<Capability>()));
    return;
  }
  if (factory->validate) factory->validate(site, diags);
}

}  // namespace

void validate_rack_backends(const Rack& rack, const BackendRegistry& registry, Diagnostics& diags) {
  for (const Segment& s : rack.segments) {
    for (const BackendSpec& spec : s.outages) {
      validate_one<OutageSwitch>(registry, {spec, nullptr, &s}, "outage", rack.file, diags);
    }
  }
  if (rack.cloud) validate_one<Cloud>(registry, {*rack.cloud}, "cloud", rack.file, diags);
  for (const RackDevice& d : rack.devices) {
    if (d.power) validate_one<PowerSwitch>(registry, {*d.power, &d}, "power", rack.file, diags);
    if (d.serial) validate_one<SerialPort>(registry, {*d.serial, &d}, "serial", rack.file, diags);
    if (d.led) validate_one<ColourSensor>(registry, {*d.led, &d}, "led sensor", rack.file, diags);
  }
}

bool rack_is_simulated(const Rack& rack, const BackendRegistry& registry) {
  const auto simulated = [&]<typename Capability>(const std::optional<BackendSpec>& spec) {
    if (!spec) return true;
    const auto* factory = registry.find<Capability>(spec->backend);
    return factory != nullptr && factory->virtual_time;
  };
  for (const Segment& s : rack.segments) {
    for (const BackendSpec& spec : s.outages) {
      if (!simulated.operator()<OutageSwitch>(spec)) return false;
    }
  }
  if (!simulated.operator()<Cloud>(rack.cloud)) return false;
  for (const RackDevice& d : rack.devices) {
    if (!simulated.operator()<PowerSwitch>(d.power) || !simulated.operator()<SerialPort>(d.serial) ||
        !simulated.operator()<ColourSensor>(d.led)) {
      return false;
    }
  }
  return true;
}

std::vector<OutageMode> outage_modes(const BackendSpec& spec, const Segment& segment,
                                     const BackendRegistry& registry) {
  const auto* factory = registry.find<OutageSwitch>(spec.backend);
  if (factory == nullptr || !factory->modes) return {};
  return factory->modes(BackendSite{spec, nullptr, &segment});
}

std::optional<std::size_t> outage_backend_for(const Segment& segment, OutageMode mode,
                                              const BackendRegistry& registry) {
  for (std::size_t i = 0; i < segment.outages.size(); ++i) {
    const auto modes = outage_modes(segment.outages[i], segment, registry);
    if (std::find(modes.begin(), modes.end(), mode) != modes.end()) return i;
  }
  return std::nullopt;
}

}  // namespace cyanrig
