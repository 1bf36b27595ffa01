#include "drivers/led/sim/led_optics.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include "drivers/sim/random.hpp"

namespace cyanrig::sim {
namespace {

// Room light as the sensor's channels read it: warm white (incandescent or warm LED lamps, with
// infrared from the former), cool office LED light, daylight.
constexpr Rgb kWarmRoom{1.0F, 0.8F, 0.6F};
constexpr Rgb kOfficeRoom{1.0F, 1.0F, 0.9F};
constexpr Rgb kDaylight{0.9F, 1.0F, 1.0F};

// The room light's slow swing: two waves, minutes and most of a minute long.
constexpr double kDriftSlow = 300.0;  // seconds
constexpr double kDriftFast = 47.0;
constexpr double kDriftSlowShare = 0.7;

constexpr std::array<OpticsVariant, 7> kVariants{{
    {"ideal", "no crosstalk, exact gains, the LED as nominal: an ideal or perfectly calibrated sensor",
     LedOptics{0.0F, {1, 1, 1}, {1, 1, 1}, kOfficeRoom, 0.0F, 0.0F, 1}},
    {"datasheet", "the datasheet's typical crosstalk, gains and LED; warm room light with infrared",
     LedOptics{1.0F, {1, 1, 1}, {1, 1, 1}, kWarmRoom, 0.5F, 0.3F, 2}},
    {"crosstalk_low", "half the typical crosstalk, channel gains and dies 2-5% off",
     LedOptics{0.5F, {1.05F, 0.96F, 0.98F}, {0.95F, 1.05F, 1.0F}, kOfficeRoom, 0.1F, 0.3F, 3}},
    {"crosstalk_high", "1.5x the typical crosstalk, channel gains and dies 3-5% off",
     LedOptics{1.5F, {0.96F, 1.03F, 1.05F}, {1.05F, 0.95F, 1.05F}, kWarmRoom, 0.5F, 0.3F, 4}},
    {"green_die_weak", "1.5x crosstalk and an LED whose green die gives 20% less, red and blue 10% more",
     LedOptics{1.5F, {1, 1, 1}, {1.1F, 0.8F, 1.1F}, kOfficeRoom, 0.1F, 0.3F, 5}},
    {"blue_die_strong", "1.25x crosstalk, a 20% stronger blue die, gains 5% apart; daylight",
     LedOptics{1.25F, {0.95F, 1.0F, 1.05F}, {0.9F, 1.0F, 1.2F}, kDaylight, 0.6F, 0.5F, 6}},
    {"daylight_ir", "typical crosstalk in drifting daylight with four times the infrared",
     LedOptics{1.0F, {1.03F, 0.97F, 1.0F}, {1, 1, 1}, kDaylight, 2.0F, 0.5F, 7}},
}};

float within(Random& random, float centre, float spread) {
  return static_cast<float>(random.uniform(centre - spread, centre + spread));
}

}  // namespace

ChannelMatrix LedOptics::response(float scale) const {
  return kTcs34725Crosstalk.crosstalk_scaled(crosstalk).columns_scaled(die_power).rows_scaled(
      channel_gain.scaled(scale));
}

OpticalPath::OpticalPath(const LedOptics& optics, float scale, float ambient_level)
    : response_(optics.response(scale)),
      ambient_((optics.ambient + kIrLeak.scaled(optics.ir)).scaled(ambient_level)),
      drift_(optics.drift) {
  Random random(optics.drift_seed);
  phase_a_ = random.uniform(0, 2 * std::numbers::pi);
  phase_b_ = random.uniform(0, 2 * std::numbers::pi);
}

Rgb OpticalPath::ambient_at(Instant t) const {
  if (drift_ == 0) return ambient_;
  const double s = to_seconds(t.time_since_epoch());
  const double wave = kDriftSlowShare * std::sin(2 * std::numbers::pi * s / kDriftSlow + phase_a_) +
                      (1 - kDriftSlowShare) * std::sin(2 * std::numbers::pi * s / kDriftFast + phase_b_);
  return ambient_.scaled(static_cast<float>(1 + drift_ * wave));
}

std::span<const OpticsVariant> optics_variants() {
  return kVariants;
}

const OpticsVariant* find_optics_variant(std::string_view name) {
  for (const OpticsVariant& v : kVariants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

LedOptics device_optics(std::uint64_t seed) {
  Random random(seed);
  LedOptics o;
  o.crosstalk = within(random, 1.0F, 0.4F);
  o.channel_gain = {within(random, 1, 0.04F), within(random, 1, 0.04F), within(random, 1, 0.04F)};
  o.die_power = {within(random, 1, 0.1F), within(random, 1, 0.1F), within(random, 1, 0.1F)};
  o.ambient = random.chance(0.5) ? kWarmRoom : kOfficeRoom;
  o.ir = within(random, 0.25F, 0.25F);
  o.drift = within(random, 0.2F, 0.1F);
  o.drift_seed = random.bits();
  return o;
}

}  // namespace cyanrig::sim
