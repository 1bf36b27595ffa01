// The LED's primaries learned from what a device shows while it boots and connects
// (particle-reference.md section 2: dark, breathing white, blinking green, blinking cyan), for a
// slot whose device does not run the probe firmware's RGB control: white is all three dies, green
// the green die alone, cyan green and blue. So red = white - cyan, blue = cyan - green (docs/led.md,
// "Calibration").
//
// Pure: the samples are the sensor's raw readings while the device boots, the states what the LED
// decoder named from them (it names these default states uncalibrated).
#pragma once

#include <span>
#include <string>
#include <variant>

#include "rig/led/calibration.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig {

struct LearnedPrimaries {
  Primaries primaries;
  ChannelLevels white;  // the white the device showed at its brightest (the start of its breath)
};

// The primaries, or what the boot did not show ("no blinking cyan: did the device reach the
// cloud?").
std::variant<LearnedPrimaries, std::string> learn_primaries_from_boot(std::span<const RgbSample> samples,
                                                                      std::span<const LedStateChange> states,
                                                                      const ChannelLevels& dark);

}  // namespace cyanrig
