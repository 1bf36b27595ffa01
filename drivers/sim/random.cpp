#include "drivers/sim/random.hpp"

#include <array>
#include <cmath>

namespace cyanrig::sim {
namespace {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// splitmix64's finaliser: spreads nearby inputs (seed 1, seed 2) over the whole 64-bit space.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9).
double normal_quantile(double p) {
  static constexpr std::array kA = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                    1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr std::array kB = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                    6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr std::array kC = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                    -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr std::array kD = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                    3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  if (p < kLow || p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log(p < kLow ? p : 1 - p));
    const double x = (((((kC[0] * q + kC[1]) * q + kC[2]) * q + kC[3]) * q + kC[4]) * q + kC[5]) /
                     ((((kD[0] * q + kD[1]) * q + kD[2]) * q + kD[3]) * q + 1);
    return p < kLow ? x : -x;
  }
  const double q = p - 0.5;
  const double r = q * q;
  return (((((kA[0] * r + kA[1]) * r + kA[2]) * r + kA[3]) * r + kA[4]) * r + kA[5]) * q /
         (((((kB[0] * r + kB[1]) * r + kB[2]) * r + kB[3]) * r + kB[4]) * r + 1);
}

constexpr int kQuantileBits = 12;
constexpr std::size_t kQuantiles = std::size_t{1} << kQuantileBits;

const std::array<float, kQuantiles>& quantile_table() {
  static const std::array<float, kQuantiles> kTable = [] {
    std::array<float, kQuantiles> t{};
    for (std::size_t i = 0; i < kQuantiles; ++i) {
      t[i] = static_cast<float>(normal_quantile((static_cast<double>(i) + 0.5) / kQuantiles));
    }
    return t;
  }();
  return kTable;
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view device_id, std::string_view purpose) {
  return mix(mix(mix(run_seed) ^ fnv1a(device_id)) ^ fnv1a(purpose));
}

double Random::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

Duration Random::between(Duration lo, Duration hi) {
  if (hi <= lo) return lo;
  const auto width = static_cast<double>((hi - lo).count());
  return lo + Duration{static_cast<Duration::rep>(std::llround(width * uniform()))};
}

bool Random::chance(double p) {
  const double u = uniform();
  return u < p;
}

std::size_t Random::below(std::size_t n) {
  return static_cast<std::size_t>(engine_() % n);
}

float GaussianSource::next() {
  if (left_ == 0) {
    pool_ = random_.bits();
    left_ = 64 / kQuantileBits;
  }
  const auto index = static_cast<std::size_t>(pool_ & (kQuantiles - 1));
  pool_ >>= kQuantileBits;
  --left_;
  return quantile_table()[index];
}

}  // namespace cyanrig::sim
