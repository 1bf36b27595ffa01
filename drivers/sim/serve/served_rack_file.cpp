#include "drivers/sim/serve/served_rack_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "drivers/posix/shell_quote.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig::sim {
namespace {

std::string quoted(const std::string& text) {
  YAML::Emitter out;
  out << YAML::DoubleQuoted << text;
  return out.c_str();
}

// `'/path/to/cyanrig' sim ctl --url 'http://...'`: the start of every command the rack runs.
std::string ctl(const ServedRackFile& file) {
  return fmt::format("{} sim ctl --url {}", shell_quoted(file.cyanrig), shell_quoted(file.url));
}

std::string segment_entry(const Segment& segment, const ServedRackFile& file) {
  // The command backend tells its commands the mode and action through the environment.
  const std::string outage = fmt::format("{} outage {}", ctl(file), shell_quoted(segment.name));
  return fmt::format(
      "  - name: {}\n"
      "    effect_within: {}\n"
      "    outage:\n"
      "      backend: command\n"
      "      do: {}\n"
      "      undo: {}\n"
      "      status: {}\n"
      "      timeout: 10s\n"
      "      modes: [cloud, internet, dns, link]\n",
      segment.name, format_duration(segment.effect_within),
      quoted(outage + R"( start "$CYANRIG_OUTAGE_MODE" "$CYANRIG_OUTAGE_ACTION")"), quoted(outage + " stop"),
      quoted(outage + " status"));
}

std::string device_entry(const RackDevice& device, const ServedDevice& served, const ServedRackFile& file) {
  const std::string power = fmt::format("{} power {}", ctl(file), shell_quoted(device.name));
  std::string out = fmt::format("  - name: {}\n    id: {}\n    platform: {}\n", device.name, device.id.str(),
                                device.platform->name);
  if (!device.segment.empty() && file.command_outage) out += fmt::format("    segment: {}\n", device.segment);
  if (!device.tags.empty()) {
    std::string tags;
    for (const auto& tag : device.tags) tags += (tags.empty() ? "" : ", ") + quoted(tag);
    out += fmt::format("    tags: [{}]\n", tags);
  }
  if (!device.firmware.empty()) out += fmt::format("    firmware: {}\n", quoted(device.firmware));
  if (device.min_off) out += fmt::format("    min_off: {}\n", format_duration(*device.min_off));
  out += fmt::format("    power: {{backend: command, on: {}, off: {}}}\n", quoted(power + " on"),
                     quoted(power + " off"));
  out += fmt::format("    serial: {{backend: tty, path: {}}}\n", quoted(served.pty));
  return out;
}

}  // namespace

std::string served_rack_yaml(const Rack& rack, const std::vector<ServedDevice>& devices,
                             const ServedRackFile& file) {
  std::string out = fmt::format(
      "# Written by `cyanrig sim serve` (docs/sim-serve.md): the simulated rack '{}' served in real time\n"
      "# at {}. cyanrig's real backends reach it: serial through the devices' ptys (tty), power and\n"
      "# outages through `cyanrig sim ctl` (command), the cloud over HTTP (particle).\n"
      "# No LED sensors: a served device has no LED a sensor could read, so scenarios that expect\n"
      "# LED states cannot pass on this rack.\n"
      "# Valid while that `cyanrig sim serve` runs: the ptys and the port change every time it starts.\n"
      "rack: {}\n"
      "safe_power: {}\n"
      "power: {{min_off: {}, on_spacing: {}}}\n",
      rack.name, file.url, quoted(rack.name + "-served"), to_string(rack.safe_power),
      format_duration(rack.min_off), format_duration(rack.power_on_spacing));
  if (!rack.patterns.empty()) {
    out += "patterns:\n";
    for (const EventPattern& p : rack.patterns) {
      out += fmt::format("  - {{event: {}, regex: {}}}\n", quoted(p.event), quoted(p.regex));
    }
  }
  if (!rack.segments.empty() && !file.command_outage) {
    // A segment needs an outage backend, and only `command` can reach the served rack's segments.
    out +=
        "# No segments: this build has no `command` outage backend to run `cyanrig sim ctl outage`,\n"
        "# so scenarios with outage steps cannot run on this rack.\n";
  } else if (!rack.segments.empty()) {
    out += "segments:\n";
    for (const Segment& s : rack.segments) out += segment_entry(s, file);
  }
  out += fmt::format("cloud: {{backend: particle, url: {}, token_file: {}}}\n", quoted(file.url),
                     quoted(file.token_file));
  out += "devices:\n";
  for (const ServedDevice& served : devices) {
    if (const RackDevice* device = rack.find_device(served.name)) out += device_entry(*device, served, file);
  }
  return out;
}

}  // namespace cyanrig::sim
