#include "rig/rack/rack_file.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>

#include "rig/core/particle_module.hpp"
#include "rig/core/text.hpp"
#include "rig/rack/builtin_sim_rack.hpp"
#include "rig/rack/maintenance_file.hpp"
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
    const YAML::Node value = kv.second;
    // YAML::Node has reference semantics: assigning to a node bound to `value` would overwrite the
    // rack's own tree, so the probability is read through a node of its own.
    if (value.IsMap()) {
      f.params = value;
      const YAML::Node given = value["probability"];
      if (!given.IsDefined()) {  // `{extra: 25m}`: every opportunity
        out.push_back(std::move(f));
        continue;
      }
    }
    const YAML::Node probability = value.IsMap() ? YAML::Node(value["probability"]) : value;
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

// `secret_env: [SMARTPLUG_KEY, ...]`: names as the shell writes them.
std::vector<std::string> read_secret_env(MapReader& r) {
  static const std::regex kVariable("[A-Za-z_][A-Za-z0-9_]*");
  std::vector<std::string> names;
  for (const std::string& name : r.text_list("secret_env")) {
    if (!std::regex_match(name, kVariable)) {
      r.error("secret_env",
              fmt::format("'{}' is not an environment variable name (letters, digits and _)", name));
    } else {
      names.push_back(name);
    }
  }
  return names;
}

// An address as one text per address: "10.0.0.2", "fd00::12" (IPv6 compressed the one way).
std::string canonical_ip(const std::string& text) {
  in6_addr buffer{};
  std::array<char, INET6_ADDRSTRLEN> out{};
  const int family = inet_pton(AF_INET, text.c_str(), &buffer) == 1 ? AF_INET : AF_INET6;
  if (family == AF_INET6 && inet_pton(AF_INET6, text.c_str(), &buffer) != 1) return text;
  return inet_ntop(family, &buffer, out.data(), out.size()) != nullptr ? out.data() : text;
}

// Addresses and names given once per rack: the first device that gave each, and where.
struct FirstUse {
  std::string device;
  SourceLoc loc;
};
using FirstUses = std::map<std::string, FirstUse>;

// Reports `key`'s value used by an earlier device, at this one naming both.
void note_unique(FirstUses& seen, const std::string& value, const std::string& what, MapReader& r,
                 std::string_view key, const std::string& device) {
  const auto [earlier, fresh] = seen.emplace(value, FirstUse{device, r.loc(key)});
  if (fresh) return;
  r.error(key, fmt::format("{} is used twice: here by device '{}', and by device '{}' at {}", what, device,
                           earlier->second.device, earlier->second.loc.to_string()));
}

// The known-good application a dfu_flash step writes: its module prefix must name the device's
// platform and a user part that a raw write can run, and the file must hold exactly the module the
// prefix describes. Errors go to `loc` (the step's file name) and name what the header says.
std::optional<DfuImage> read_dfu_image(const std::string& path, const RackDevice& device,
                                       const SourceLoc& loc, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<unsigned char> bytes{std::istreambuf_iterator<char>(in),
                                         std::istreambuf_iterator<char>()};
  if (!in.eof() && in.fail()) {
    diags.error(loc, fmt::format("dfu_flash: cannot read {}", path));
    return std::nullopt;
  }
  const std::optional<ModulePrefix> prefix = read_module_prefix(bytes);
  if (!prefix) {
    diags.error(loc, fmt::format("dfu_flash: {} is {} bytes, too short for a Particle module header ({} "
                                 "bytes): not an application binary",
                                 path, bytes.size(), kModulePrefixSize));
    return std::nullopt;
  }
  const std::string what = fmt::format("dfu_flash: {}'s module header says", path);
  if (device.platform != nullptr && prefix->platform_id != device.platform->id) {
    const Platform* built_for = find_platform_by_id(prefix->platform_id);
    diags.error(
        loc, fmt::format("{} platform {}{}, and device '{}' is {} (platform {})", what, prefix->platform_id,
                         built_for != nullptr ? fmt::format(" ({})", built_for->name) : "", device.name,
                         device.platform->name, device.platform->id));
    return std::nullopt;
  }
  if (prefix->function != static_cast<std::uint8_t>(ModuleFunction::user_part)) {
    diags.error(loc, fmt::format("{} {} (module function {}), not an application (user part, function {})",
                                 what, module_function_name(prefix->function), prefix->function,
                                 static_cast<int>(ModuleFunction::user_part)));
    return std::nullopt;
  }
  if (const std::string flags = raw_write_flag_names(prefix->flags); !flags.empty()) {
    diags.error(loc, fmt::format("{} {} (flags 0x{:02x}): only an OTA update can install such a module, and "
                                 "dfu-util writes the file as it is",
                                 what, flags, prefix->flags));
    return std::nullopt;
  }
  if (prefix->file_size() != bytes.size()) {
    diags.error(
        loc,
        fmt::format("{} 0x{:08x} to 0x{:08x}, which with its CRC is {} bytes, and the file has {}: "
                    "truncated, padded or not one module",
                    what, prefix->start_address, prefix->end_address, prefix->file_size(), bytes.size()));
    return std::nullopt;
  }
  return DfuImage{.file = path, .address = prefix->start_address, .bytes = bytes.size()};
}

// `{dfu_flash: FIRMWARE}` or `{dfu_flash: FIRMWARE, wait: 45s}`.
std::optional<RecoverStep> read_dfu_flash(const YAML::Node& item, const RackDevice& device,
                                          const std::string& file, Diagnostics& diags) {
  MapReader r(item, file, diags, "dfu_flash step");
  const auto firmware = r.text("dfu_flash", true);
  const auto wait = r.duration("wait");
  r.finish();
  if (!firmware) return std::nullopt;
  RecoverStep step{.kind = RecoverStep::Kind::dfu_flash, .loc = loc_of(item, file)};
  if (wait) {
    if (*wait <= Duration{0}) {
      r.error("wait", "dfu_flash: 'wait' is how long to keep asking for DFU mode, above 0 (e.g. 30s)");
      return std::nullopt;
    }
    step.wait = *wait;
  }
  if (!device.serial) {
    diags.error(step.loc,
                fmt::format("dfu_flash enters DFU mode through the serial port, and device '{}' has "
                            "none",
                            device.name));
    return std::nullopt;
  }
  const std::string path = resolve_rack_path(*firmware, file).string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    r.error(
        "dfu_flash",
        fmt::format("dfu_flash: no firmware file {} (paths are taken from the rack file's folder)", path));
    return std::nullopt;
  }
  auto image = read_dfu_image(path, device, r.loc("dfu_flash"), diags);
  if (!image) return std::nullopt;
  step.image = std::move(*image);
  return step;
}

// `recover:` a list of `power_cycle` and `{dfu_flash: FIRMWARE}`, tried in order on a device that
// fails the pre-run health check.
std::vector<RecoverStep> read_recover(const YAML::Node& node, const RackDevice& device,
                                      const std::string& file, Diagnostics& diags) {
  std::vector<RecoverStep> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) {
    diags.error(loc_of(node, file), "'recover' must be a list: power_cycle, {dfu_flash: firmware.bin}");
    return out;
  }
  for (const YAML::Node& item : node) {
    if (item.IsScalar() && item.Scalar() == "power_cycle") {
      const RecoverStep step{.kind = RecoverStep::Kind::power_cycle, .loc = loc_of(item, file)};
      if (!device.power) {
        diags.error(step.loc,
                    fmt::format("power_cycle needs a power backend, and device '{}' has none", device.name));
        continue;
      }
      out.push_back(step);
      continue;
    }
    if (item.IsMap() && item["dfu_flash"].IsDefined()) {
      if (auto step = read_dfu_flash(item, device, file, diags)) out.push_back(std::move(*step));
      continue;
    }
    diags.error(loc_of(item, file), "a recover step is power_cycle or {dfu_flash: firmware.bin}");
  }
  return out;
}

void read_devices(const YAML::Node& list, const YAML::Node& defaults, const std::string& file, Rack& rack,
                  Diagnostics& diags) {
  std::set<std::string> names;
  std::set<std::string> ids;
  FirstUses ips;
  FirstUses macs;
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
        note_unique(ips, canonical_ip(*ip), "IP address " + *ip, r, "ip", d.name);
      } else {
        r.error("ip", fmt::format("'{}' is not an IPv4 or IPv6 address", *ip));
      }
    }
    if (auto mac = r.text("mac")) {
      if (is_mac_address(*mac)) {
        d.mac = lowercase(*mac);
        note_unique(macs, d.mac, "MAC address " + d.mac, r, "mac", d.name);
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
    if (const auto reason = r.text("maintenance")) {
      if (trim(*reason).empty()) {
        r.error("maintenance",
                "'maintenance' gives the reason the device is out of service, e.g. \"USB cable flaky\"");
      } else {
        d.maintenance = *reason;
      }
    }
    d.recover = read_recover(r.node("recover"), d, file, diags);
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
      p.error("event", fmt::format("event name '{}' {}", *event, kIdentifierRule));
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
  if (const auto lock_dir = r.text("lock_dir")) {
    if (lock_dir->empty()) {
      r.error("lock_dir", "'lock_dir' must name a folder, e.g. /run/lock/cyanrig");
    } else {
      rack.lock_dir = resolve_rack_path(*lock_dir, file).string();
    }
  }
  rack.secret_env = read_secret_env(r);
  if (file != kBuiltinRackName) {
    const auto written = r.text("maintenance_file");
    const std::filesystem::path rack_path(file);
    rack.maintenance_file =
        resolve_rack_path(written.value_or(rack_path.stem().string() + ".maintenance.yaml"), file).string();
  }
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

std::filesystem::path resolve_rack_path(std::string_view written, const std::filesystem::path& rack_file) {
  std::filesystem::path path(written);
  if (written == "~" || written.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    path = std::filesystem::path(home == nullptr ? "" : home) /
           std::string(written.substr(std::min<std::size_t>(2, written.size())));
  }
  if (path.is_relative()) path = rack_file.parent_path() / path;
  return path.lexically_normal();
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
  auto rack = parse_rack(*text, path, diags);
  if (rack && !apply_maintenance_state(*rack, diags)) return std::nullopt;
  return rack;
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

// A dfu_flash step needs a DFU flasher from the device's serial backend. Its factory validates at the
// step (BackendSite::spec carries the step's position), so a backend that cannot says why there.
void validate_dfu_flash(const BackendRegistry& registry, const RackDevice& d, Diagnostics& diags) {
  if (!d.serial || registry.find<SerialPort>(d.serial->backend) == nullptr) return;
  for (const RecoverStep& step : d.recover) {
    if (step.kind != RecoverStep::Kind::dfu_flash) continue;
    const auto* factory = registry.find<DfuFlasher>(d.serial->backend);
    if (factory == nullptr) {
      diags.error(step.loc,
                  fmt::format("dfu_flash: the serial backend '{}' of device '{}' cannot put it into DFU "
                              "mode; serial backends that can: {}",
                              d.serial->backend, d.name, registry.names<DfuFlasher>()));
      continue;
    }
    const BackendSpec at_step{d.serial->backend, d.serial->params, step.loc};
    if (factory->validate) factory->validate({at_step, &d}, diags);
  }
}

// A claim, and whose it is in the user's words ("the power of device 'argon-1'").
struct ClaimSite {
  ResourceClaim claim;
  std::string who;
};

template <typename Capability>
void collect_claims(const BackendRegistry& registry, const BackendSite& site, const std::string& who,
                    std::vector<ClaimSite>& out) {
  const auto* factory = registry.find<Capability>(site.spec.backend);
  if (factory == nullptr || !factory->claims) return;
  for (ResourceClaim& claim : factory->claims(site)) out.push_back({std::move(claim), who});
}

std::vector<ClaimSite> rack_claims(const Rack& rack, const BackendRegistry& registry) {
  std::vector<ClaimSite> out;
  for (const Segment& s : rack.segments) {
    for (const BackendSpec& spec : s.outages) {
      collect_claims<OutageSwitch>(registry, {spec, nullptr, &s},
                                   fmt::format("the {} outage of segment '{}'", spec.backend, s.name), out);
    }
  }
  for (const RackDevice& d : rack.devices) {
    if (d.power)
      collect_claims<PowerSwitch>(registry, {*d.power, &d}, fmt::format("the power of device '{}'", d.name),
                                  out);
    if (d.serial) {
      collect_claims<SerialPort>(registry, {*d.serial, &d},
                                 fmt::format("the serial port of device '{}'", d.name), out);
    }
    if (d.led)
      collect_claims<ColourSensor>(registry, {*d.led, &d},
                                   fmt::format("the led sensor of device '{}'", d.name), out);
  }
  return out;
}

}  // namespace

void check_rack_conflicts(const Rack& rack, const BackendRegistry& registry, Diagnostics& diags) {
  const std::vector<ClaimSite> claims = rack_claims(rack, registry);
  std::map<std::string, const ClaimSite*> first;
  for (const ClaimSite& site : claims) {
    const auto [earlier, fresh] = first.emplace(site.claim.key, &site);
    if (fresh) continue;
    diags.error(site.claim.loc,
                fmt::format("{} is used twice: here by {}, and by {} at {}", site.claim.what, site.who,
                            earlier->second->who, earlier->second->claim.loc.to_string()));
  }
}

void validate_rack_backends(const Rack& rack, const BackendRegistry& registry, Diagnostics& diags) {
  const std::size_t errors_before = diags.size();
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
    validate_dfu_flash(registry, d, diags);
  }
  // Conflicts are looked for once every backend's parameters make sense.
  if (diags.size() == errors_before) check_rack_conflicts(rack, registry, diags);
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
