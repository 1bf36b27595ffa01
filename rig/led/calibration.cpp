#include "rig/led/calibration.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// White must stand out of dark by this factor on every channel to be a usable reference: the
// brightest samples of a dark LED are noise peaks, which reach about twice the dark level. A primary
// must stand out so on its own channel.
constexpr float kMinWhiteOverDark = 4.0F;

// A reference reading far enough above dark to scale by (a die or white, on a channel).
bool clearly_above_dark(float level, float dark) {
  return level > dark * kMinWhiteOverDark && level > dark;
}
// Primaries (each scaled to 1 on its own channel) this close to flat do not tell the dies apart:
// the datasheet's crosstalk at 1.5x leaves ~0.7.
constexpr float kMinPrimariesDeterminant = 0.2F;

float normalised(float x, float dark, float white) {
  return (x - dark) / (white - dark);
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

std::optional<Primaries> read_primaries(MapReader& entry) {
  const auto red = read_levels(entry, "red");
  const auto green = read_levels(entry, "green");
  const auto blue = read_levels(entry, "blue");
  if (!red && !green && !blue) return std::nullopt;
  if (!red || !green || !blue) {
    entry.error(
        !red     ? "red"
        : !green ? "green"
                 : "blue",
        "the primaries come together: 'red', 'green' and 'blue' (cyanrig led calibrate writes all three)");
    return std::nullopt;
  }
  return Primaries{*red, *green, *blue};
}

// `correction: [[rr, rg, rb], [gr, gg, gb], [br, bg, bb]]`.
std::optional<ChannelMatrix> read_correction(MapReader& entry) {
  const YAML::Node node = entry.node("correction");
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  const auto bad = [&] {
    entry.error(
        "correction",
        fmt::format("'correction' must be three rows of three numbers, [[r, g, b], [r, g, b], [r, g, b]], "
                    "found {}",
                    node_kind(node)));
    return std::nullopt;
  };
  if (!node.IsSequence() || node.size() != 3) return bad();
  ChannelMatrix m;
  for (std::size_t i = 0; i < 3; ++i) {
    const YAML::Node row = node[i];
    if (!row.IsSequence() || row.size() != 3) return bad();
    for (std::size_t j = 0; j < 3; ++j) {
      float value = 0;
      if (!row[j].IsScalar() || !YAML::convert<float>::decode(row[j], value) || !std::isfinite(value))
        return bad();
      m.rows[i][j] = value;
    }
  }
  if (!m.inverse()) {
    entry.error("correction", "'correction' is singular: it maps different colours onto the same reading");
    return std::nullopt;
  }
  return m;
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

RgbSample calibrated(const LedCalibration& cal, const RgbSample& sample) {
  const ChannelLevels& dark = *cal.dark;
  RgbSample out{sample.t, 0, 0, 0, -1};
  if (cal.correction) {
    const Rgb dies = *cal.correction * (Rgb{sample.r, sample.g, sample.b} - dark.rgb());
    out.r = dies.r;
    out.g = dies.g;
    out.b = dies.b;
  } else {
    const ChannelLevels& white = *cal.white;
    out.r = normalised(sample.r, dark.r, white.r);
    out.g = normalised(sample.g, dark.g, white.g);
    out.b = normalised(sample.b, dark.b, white.b);
  }
  if (sample.c >= 0 && dark.c >= 0 && cal.white && cal.white->c > dark.c) {
    out.c = normalised(sample.c, dark.c, cal.white->c);
  }
  return out;
}

ChannelMatrix sensor_correction(const LedCalibration& cal) {
  if (cal.correction) return *cal.correction;
  const Rgb span = cal.white->rgb() - cal.dark->rgb();
  return ChannelMatrix::identity().rows_scaled({1 / span.r, 1 / span.g, 1 / span.b});
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
      cal.primaries = read_primaries(entry);
      cal.primaries_from = entry.text("primaries_from").value_or("");
      cal.correction = read_correction(entry);
      cal.dark_at = entry.text("dark_at").value_or("");
      cal.white_at = entry.text("white_at").value_or("");
      cal.primaries_at = entry.text("primaries_at").value_or("");
      entry.finish();
      // calibrated() divides by white - dark: a hand-edited entry must not make that zero.
      if (cal.dark && cal.white && !cal.correction) {
        if (auto problem = reference_problem(*cal.dark, *cal.white)) diags.error(entry.loc(), *problem);
      }
      // Primaries without their correction (written by hand): made here, or why they cannot be.
      if (cal.dark && cal.primaries && !cal.correction) {
        auto made = colour_correction(*cal.dark, *cal.primaries);
        if (const auto* problem = std::get_if<std::string>(&made)) {
          diags.error(entry.loc(), *problem);
        } else {
          cal.correction = std::get<ChannelMatrix>(made);
        }
      }
    }
  }
  if (diags.size() != errors_before) return std::nullopt;
  return out;
}

const LedCalibration* LedCalibrations::find(std::string_view device) const& {
  const auto it = devices_.find(device);
  return it == devices_.end() ? nullptr : &it->second;
}

std::string LedCalibrations::to_yaml() const {
  YAML::Emitter out;
  out.SetFloatPrecision(6);
  out << YAML::Comment(
      "LED sensor calibration per rack device, written by `cyanrig led calibrate` (docs/led.md).\n"
      "Levels are in the sensor's uncalibrated units (tcs34725: counts per 2.4 ms cycle at 1x gain).");
  out << YAML::BeginMap << YAML::Key << "devices" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, cal] : devices_) {
    out << YAML::Key << name << YAML::Value << YAML::BeginMap;
    emit_levels(out, "dark", cal.dark);
    emit_levels(out, "white", cal.white);
    if (cal.primaries) {
      emit_levels(out, "red", cal.primaries->red);
      emit_levels(out, "green", cal.primaries->green);
      emit_levels(out, "blue", cal.primaries->blue);
    }
    if (!cal.primaries_from.empty())
      out << YAML::Key << "primaries_from" << YAML::Value << cal.primaries_from;
    if (cal.correction) {
      out << YAML::Key << "correction" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& row : cal.correction->rows) {
        out << YAML::Flow << YAML::BeginSeq << row[0] << row[1] << row[2] << YAML::EndSeq;
      }
      out << YAML::EndSeq;
    }
    if (!cal.dark_at.empty()) out << YAML::Key << "dark_at" << YAML::Value << cal.dark_at;
    if (!cal.white_at.empty()) out << YAML::Key << "white_at" << YAML::Value << cal.white_at;
    if (!cal.primaries_at.empty()) out << YAML::Key << "primaries_at" << YAML::Value << cal.primaries_at;
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
    if (clearly_above_dark(w, d)) continue;
    return fmt::format(
        "white is not clearly brighter than dark on the {} channel (dark {:.4g}, white {:.4g}, needs {}x): "
        "did "
        "the LED show white, and was it dark (and the sensor shaded from room light) for the dark reference?",
        name, d, w, kMinWhiteOverDark);
  }
  return std::nullopt;
}

std::variant<ChannelMatrix, std::string> colour_correction(const ChannelLevels& dark,
                                                           const Primaries& primaries) {
  const std::array<std::tuple<const char*, Rgb, float, float>, 3> dies = {{
      {"red", primaries.red.rgb() - dark.rgb(), primaries.red.r, dark.r},
      {"green", primaries.green.rgb() - dark.rgb(), primaries.green.g, dark.g},
      {"blue", primaries.blue.rgb() - dark.rgb(), primaries.blue.b, dark.b},
  }};
  for (const auto& [name, light, own, own_dark] : dies) {
    if (clearly_above_dark(own, own_dark)) continue;
    return fmt::format(
        "the {0} die is not clearly brighter than dark on the {0} channel (dark {1:.4g}, {0} {2:.4g}, needs "
        "{3}x): "
        "did the LED show {0}, and was it dark for the dark reference?",
        name, own_dark, own, kMinWhiteOverDark);
  }
  const ChannelMatrix mixing =
      ChannelMatrix::from_columns(std::get<1>(dies[0]), std::get<1>(dies[1]), std::get<1>(dies[2]));
  const Rgb own{std::get<1>(dies[0]).r, std::get<1>(dies[1]).g, std::get<1>(dies[2]).b};
  const ChannelMatrix relative = mixing.columns_scaled({1 / own.r, 1 / own.g, 1 / own.b});
  const std::optional<ChannelMatrix> inverse = mixing.inverse();
  if (relative.determinant() < kMinPrimariesDeterminant || !inverse) {
    return fmt::format(
        "the primaries do not tell the LED's dies apart (each die lights the other channels nearly as much "
        "as its own: determinant {:.2f}, needs {}): did the LED show red, green and blue in turn?",
        relative.determinant(), kMinPrimariesDeterminant);
  }
  return kCanonicalSensor * *inverse;
}

}  // namespace cyanrig
