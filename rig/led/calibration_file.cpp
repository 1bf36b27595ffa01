#include "rig/led/calibration_file.hpp"

#include <filesystem>

namespace cyanrig {

namespace fs = std::filesystem;

std::string resolve_led_calibration_file(const std::string& rack_file,
                                         const std::optional<std::string>& file) {
  const fs::path path(file.value_or(kDefaultLedCalibrationFile));
  if (path.is_absolute()) return path.string();
  // The built-in rack has no folder: its calibration lives in the working directory.
  const fs::path folder = rack_file.starts_with("<") ? fs::path() : fs::path(rack_file).parent_path();
  return (folder / path).lexically_normal().string();
}

std::string led_calibration_file(const Rack& rack, const RackDevice& device) {
  std::optional<std::string> file;
  if (device.led && device.led->params.IsMap()) {
    // Validation reports a `calibration` that is not text; here it is only looked up.
    const YAML::Node node = device.led->params["calibration"];
    if (node.IsDefined() && node.IsScalar()) file = node.as<std::string>();
  }
  return resolve_led_calibration_file(rack.file, file);
}

}  // namespace cyanrig
