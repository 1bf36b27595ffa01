// Where a rack keeps its LED calibration (rig/led/calibration.hpp), shared by every LED backend that
// honours it (tcs34725, sim) and by `cyanrig led calibrate`: the led backend's `calibration`
// parameter, else led-calibration.yaml next to the rack file (in the working directory for the
// built-in rack, which has no folder).
#pragma once

#include <optional>
#include <string>

#include "rig/rack/rack.hpp"

namespace cyanrig {

inline constexpr const char* kDefaultLedCalibrationFile = "led-calibration.yaml";

// `file` (a `calibration` parameter, or the default) resolved against the rack file's folder.
std::string resolve_led_calibration_file(const std::string& rack_file,
                                         const std::optional<std::string>& file = std::nullopt);

// The calibration file `device`'s LED readings are corrected with.
std::string led_calibration_file(const Rack& rack, const RackDevice& device);

// Whether a sensor applies the calibration file; `cyanrig led calibrate` measures raw readings.
enum class CalibrationUse { apply, ignore };

}  // namespace cyanrig
