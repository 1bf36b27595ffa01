#include "rig/led/calibration.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// White must stand out of dark by this factor on every channel to be a usable reference: the
// brightest samples of a dark LED are noise peaks, which reach about twice the dark level.
constexpr float kMinWhiteOverDark = 4.0F;

float normalised(float x, float dark, float white) {
  return std::max(0.0F, (x - dark) / (white - dark));
}

std::optional<ChannelLevels> read_levels(MapReader& entry, std::string_view key) {
  const YAML::Node node = entry.node(key);  // asked for even when absent: a typo then gets a suggestion
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  MapReader levels(node, entry.file(), entry.diags(), fmt::format("'{}' levels", key));
  if (!levels.valid()) return std::nullopt;
  ChannelLevels out;
  const auto r = levels.number("r", true, 0);
  const auto g = levels.number("g", true, 0);
  const auto b = levels.number("b", true, 0);
  const auto c = levels.number("c", false, 0);
  levels.finish();
  if (!r || !g || !b) return std::nullopt;
  out.r = static_cast<float>(*r);
  out.g = static_cast<float>(*g);
  out.b = static_cast<float>(*b);
  if (c) out.c = static_cast<float>(*c);
  return out;
}

void emit_levels(YAML::Emitter& out, std::string_view key, const std::optional<ChannelLevels>& levels) {
  if (!levels) return;
  out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "r" << YAML::Value << levels->r << YAML::Key << "g" << YAML::Value << levels->g
      << YAML::Key << "b" << YAML::Value << levels->b;
  if (levels->c >= 0) out << YAML::Key << "c" << YAML::Value << levels->c;
  out << YAML::EndMap;
}

}  // namespace

RgbSample normalise(const LedCalibration& cal, const RgbSample& sample) {
  const ChannelLevels& dark = *cal.dark;
  const ChannelLevels& white = *cal.white;
  RgbSample out{sample.t, normalised(sample.r, dark.r, white.r), normalised(sample.g, dark.g, white.g),
                normalised(sample.b, dark.b, white.b), -1};
  if (sample.c >= 0 && dark.c >= 0 && white.c > dark.c) out.c = normalised(sample.c, dark.c, white.c);
  return out;
}

std::optional<LedCalibrations> LedCalibrations::load(const std::string& path, Diagnostics& diags) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return LedCalibrations{};
  const auto root = load_yaml_file(path, diags);
  if (!root) return std::nullopt;
  if (root->IsNull()) return LedCalibrations{};  // an empty file
  const std::size_t errors_before = diags.size();
  MapReader file(*root, path, diags, "LED calibration file");
  LedCalibrations out;
  const YAML::Node devices = file.node("devices");
  file.finish();
  if (devices.IsDefined() && !devices.IsNull() && !devices.IsMap()) {
    diags.error(loc_of(devices, path),
                fmt::format("'devices' must be a mapping of device names, found {}", node_kind(devices)));
  } else if (devices.IsMap()) {
    for (const auto& item : devices) {
      const auto name = item.first.as<std::string>();
      MapReader entry(item.second, path, diags, fmt::format("calibration of '{}'", name));
      LedCalibration& cal = out.devices_[name];
      cal.dark = read_levels(entry, "dark");
      cal.white = read_levels(entry, "white");
      cal.dark_at = entry.text("dark_at").value_or("");
      cal.white_at = entry.text("white_at").value_or("");
      entry.finish();
      // normalise() divides by white - dark: a hand-edited entry must not make that zero.
      if (cal.complete()) {
        if (auto problem = reference_problem(*cal.dark, *cal.white)) diags.error(entry.loc(), *problem);
      }
    }
  }
  if (diags.size() != errors_before) return std::nullopt;
  return out;
}

const LedCalibration* LedCalibrations::find(std::string_view device) const {
  const auto it = devices_.find(device);
  return it == devices_.end() ? nullptr : &it->second;
}

std::string LedCalibrations::to_yaml() const {
  YAML::Emitter out;
  out.SetFloatPrecision(6);
  out << YAML::Comment(
      "LED sensor calibration per rack device, written by `cyanrig led calibrate` (docs/drivers.md).\n"
      "Levels are in the sensor's uncalibrated units (tcs34725: counts per 2.4 ms cycle at 1x gain).");
  out << YAML::BeginMap << YAML::Key << "devices" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, cal] : devices_) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    emit_levels(out, "dark", cal.dark);
    emit_levels(out, "white", cal.white);
    if (!cal.dark_at.empty()) out << YAML::Key << "dark_at" << YAML::Value << cal.dark_at;
    if (!cal.white_at.empty()) out << YAML::Key << "white_at" << YAML::Value << cal.white_at;
    out << YAML::EndMap;
  }
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::optional<std::string> LedCalibrations::save(const std::string& path) const {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << to_yaml();
    file.close();
    if (!file) return fmt::format("cannot write {}", temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return fmt::format("cannot replace {}: {}", path, ec.message());
  return std::nullopt;
}

ChannelLevels mean_levels(std::span<const RgbSample> samples) {
  ChannelLevels out;
  if (samples.empty()) return out;
  double r = 0, g = 0, b = 0, c = 0;
  bool has_clear = true;
  for (const RgbSample& s : samples) {
    r += s.r;
    g += s.g;
    b += s.b;
    c += s.c;
    has_clear = has_clear && s.c >= 0;
  }
  const auto n = static_cast<double>(samples.size());
  out.r = static_cast<float>(r / n);
  out.g = static_cast<float>(g / n);
  out.b = static_cast<float>(b / n);
  if (has_clear) out.c = static_cast<float>(c / n);
  return out;
}

ChannelLevels brightest_levels(std::span<const RgbSample> samples, float within) {
  const auto sum = [](const RgbSample& s) { return s.r + s.g + s.b; };
  float top = 0;
  for (const RgbSample& s : samples) top = std::max(top, sum(s));
  std::vector<RgbSample> bright;
  std::copy_if(samples.begin(), samples.end(), std::back_inserter(bright),
               [&](const RgbSample& s) { return sum(s) >= top * within; });
  return mean_levels(bright);
}

std::optional<std::string> reference_problem(const ChannelLevels& dark, const ChannelLevels& white) {
  const std::array<std::tuple<const char*, float, float>, 3> channels = {
      {{"red", dark.r, white.r}, {"green", dark.g, white.g}, {"blue", dark.b, white.b}}};
  for (const auto& [name, d, w] : channels) {
    if (w > d * kMinWhiteOverDark && w > d) continue;
    return fmt::format(
        "white is not clearly brighter than dark on the {} channel (dark {:.4g}, white {:.4g}, needs {}x): "
        "did "
        "the LED show white, and was it dark (and the sensor shaded from room light) for the dark reference?",
        name, d, w, kMinWhiteOverDark);
  }
  return std::nullopt;
}

}  // namespace cyanrig
