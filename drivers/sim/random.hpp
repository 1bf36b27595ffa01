// Seeded randomness for the simulated rack.
//
// Every simulated device draws from its own streams, seeded from (run seed, device id, purpose), so a
// run with a given seed replays event for event and adding a device (or a sensor on one) does not
// change what the others draw. The uniform and gaussian transforms are written out here instead of
// using <random> distributions, whose output the standard leaves to each library.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

#include "rig/core/time.hpp"

namespace cyanrig::sim {

// A closed range of durations a simulated step takes; draws are uniform inside it.
struct Span {
  Duration lo{0};
  Duration hi{0};
};

// The seed of one stream: `purpose` separates streams of the same device ("device", "usb", ...).
std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view device_id, std::string_view purpose);

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  double uniform();  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  Duration between(Duration lo, Duration hi);
  Duration in(const Span& span) { return between(span.lo, span.hi); }
  // True with probability p (p <= 0 never, p >= 1 always); always consumes one draw.
  bool chance(double p);
  std::size_t below(std::size_t n);  // uniform in [0, n), n > 0
  std::uint64_t bits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// Standard normal deviates from a quantile table: one 64-bit draw gives five of them, which keeps
// a simulated colour sensor under 100 ns per sample. The table has 4096 equiprobable quantiles, so
// the tails stop at about 3.6 sigma: plenty for sensor noise.
class GaussianSource {
 public:
  explicit GaussianSource(std::uint64_t seed) : random_(seed) {}
  float next();

 private:
  Random random_;
  std::uint64_t pool_ = 0;
  int left_ = 0;
};

}  // namespace cyanrig::sim
