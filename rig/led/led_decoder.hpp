// LedDecoder: RGB samples from a colour sensor -> LED states with start times. Pure and
// deterministic: the same samples always give the same states. Used for every simulated run and
// for real sensors alike.
//
// How it reads the light (particle-reference.md section 2):
// - Scale-free: the dark (ambient) level is learned per channel where the LED is known to be off,
//   the lit level from the light itself and the noise from sample-to-sample differences, so 0-1
//   floats and raw TCS34725 counts decode alike, at any brightness from 0.2 to 1. The clear channel
//   is not used.
// - Blinks, SOS and cloud-error flashes are read from edges (lit/dark, and colour changes such as
//   cyan turning red); breathing from the slope of its straight ramps, so a breath cut short (the
//   ~1 s of white at power-up) is still named; solid light and `off` from stretches of steady light.
// - A state is reported once, when first recognised, with `start` back-dated to its first edge: a
//   blink's first rising edge, a breath's full-brightness start, an SOS's first dot, the first
//   cloud-error flash, the last falling edge before `off`. Edges are dated to half a sample
//   interval; a blink that speeds up while lit, or dim light with lost samples, can be dated up to a
//   period late; changes without an edge (gray) to within a 200 ms block. The state then stays
//   until the pattern that explains it is contradicted, so noise does not make it flap; the same
//   state seen again (the next SOS play) is not reported again.
// - `off`: dark for `off_after` (1.5 s: longer than SOS's longest gap, 1.1 s after the code, and
//   than the dark part of a 4 s or 8 s breath). A shorter dark stretch is also `off` when the state
//   before it cannot explain it (longer than its own dark phases; at the start of a trace:
//   `off_at_start`); that `off` is reported when the next state is named.
// - Latency: blinks are named one period and at least `min_blink_span` after their first edge
//   (~100 ms for 10 Hz, ~200 ms for 5 Hz; a blink whose first lit phase merged with light of its
//   colour before it is read from its first dark phase), default breaths at their first trough
//   (~2.5 s for 4 s; a first ramp measured off is renamed at the next), SOS when its code has
//   ended, cloud errors when the flashes have ended, solid light after `solid_after`, `off` after
//   `off_after` (a state does not hold back dark longer than its own). Custom (`unknown`) blinks
//   need two periods and 400 ms, and longer when they could still be part of an SOS code (red: 16
//   periods; never inside an SOS code) or of a cloud-error burst (red/orange/magenta 500 ms: 4).
//   docs/benchmarks.md ("LED decoder accuracy") has the measured figures.
// - Limits: a custom period within `period_tolerance` of a default one is read as the default; light
//   weaker than `min_contrast_sigmas` noise sd is not read as blinking; gray (12% of full light)
//   at brightness 0.2 is about one sample's noise (2-3%) above dark and is only told from it by
//   averaging; a neutral solid light seen before any pattern is taken for gray, having nothing to
//   compare its brightness with. A blink that begins under a lit phase of a blink of its own colour
//   shows nothing new before its first fall, and is named once its next lit phase has matched its
//   first dark (1.5 periods after that fall at most). A breath ends at a step or a jump (the light
//   moving at once by far more than a breath can); gray after a breath cut near its trough, where
//   the level barely jumps, is held back until the breath is seen to have left it, then named at
//   once: when a constant explains the latest 0.6-1.2 s better than the breath's triangle at any
//   phase (0.9-1.2 s after the cut at brightness 0.23 with 2.4% noise), when the light strays from
//   the triangle (1.4 s at brightness 0.44), or, after a coloured breath, as soon as 200 ms of it
//   show gray's colour instead of the breath's (1.0-1.2 s after the cut at brightness 0.93).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/led/channel_matrix.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig {

struct LedDecoderOptions {
  // Dark this long is `off` (see above).
  Duration off_after = std::chrono::milliseconds(1500);
  // Dark at the very start of a trace is `off` once it has lasted this long and a pattern follows.
  Duration off_at_start = std::chrono::milliseconds(500);
  // Steady light this long is a solid state (`solid_gray` or `unknown`). Longer than any lit phase
  // of a default pattern (SOS dashes are 300 ms).
  Duration solid_after = std::chrono::milliseconds(1000);
  // A blink is named once its first period has ended and this much of it has been seen: one
  // period of any default blink, so that a 10 Hz blink is named within 1.5 periods (150 ms).
  Duration min_blink_span = std::chrono::milliseconds(80);
  // A breath cut short before its trough is named when its ramp lasted this long.
  Duration min_partial_breath = std::chrono::milliseconds(600);
  // A measured period within this fraction of a default period is that default (+-15%: 85-115,
  // 170-230, 425-575 ms blinks; 3.4-4.6 s breaths), plus, for blinks, what the edges' timing
  // allows (at most a sample interval over the cycles seen).
  double period_tolerance = 0.15;
  // The same for a breath cut short, whose period comes from less than half a breath (+-25%: 3-5 s,
  // still far from 2 s and 8 s themes).
  double partial_breath_tolerance = 0.25;
  // A measured colour is a default colour when each channel (in die space, brightest = 1) is within
  // what the sensor's crosstalk leaves on it from the colour's other dies, plus this share of its
  // own level (channel gains and LED dies that differ between parts), plus the noise; the nearest
  // when it is within several (docs/led.md, "Naming colours").
  double colour_spread = 0.35;
  // A neutral solid light at most this fraction of the brightest light seen is gray (1F1F1F is 12%
  // of white); brighter neutral solid light is a custom colour.
  double gray_max_level = 0.4;
  // Edges are only believed when lit and dark differ by this many noise standard deviations.
  double min_contrast_sigmas = 6.0;
  // The slot's colour correction (rig/led/calibration.hpp, colour_correction): the sensor's readings
  // above dark -> the canonical sensor's. The readings themselves stay raw: the light's level and
  // edges are measured where the sensor's noise is even and independent per channel, and only the
  // colours go through the correction. Without one, colours are named by the rule for an
  // uncalibrated sensor (docs/led.md, "Naming colours").
  std::optional<ChannelMatrix> colour_correction;
  // How long the lit level is remembered for the lit/dark threshold: longer than a 4 s breath, so
  // its level is measured against its own peak all the way round.
  Duration envelope_window = std::chrono::milliseconds(4500);
};

class LedDecoder {
 public:
  using Options = LedDecoderOptions;

  LedDecoder();
  explicit LedDecoder(const Options& options);
  ~LedDecoder();
  LedDecoder(LedDecoder&&) noexcept;
  LedDecoder& operator=(LedDecoder&&) noexcept;

  // Feed samples in time order (any rate >= 40 Hz, gaps allowed). Returns the states that became
  // known with these samples, in order; each is reported once. Samples older than the previous one
  // are ignored.
  std::vector<LedStateChange> feed(std::span<const RgbSample> samples);
  // End of the trace: name whatever is pending as best the samples allow.
  std::vector<LedStateChange> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cyanrig
