// Internal to the LED decoder: a light's level in short bins, and least-squares fits of binned light
// to a constant and to a wave shape (the breath recogniser's test for light that stopped breathing).
#pragma once

#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>

#include "rig/core/time.hpp"

namespace cyanrig::led_detail {

// A light's level in short bins (point count, mean time and mean level), a ring over the latest
// kCount, numbered from when it began.
class LevelBins {
 public:
  static constexpr Duration kWidth = std::chrono::milliseconds(50);
  static constexpr std::int64_t kCount = 24;
  struct Bin {
    double n = 0, t = 0, level = 0;  // t in seconds since the start; sums until the bin closes
  };
  LevelBins() = default;
  explicit LevelBins(Instant start) : start_(start) {}
  // Adds a point; returns the number of the bin it closed, if it closed one (the newest closed bin).
  std::optional<std::int64_t> add(Instant t, double level);
  // Closed bin `number`, empty when it held no point or is not among the latest kCount.
  const Bin& closed(std::int64_t number) const;
  Instant start() const { return start_; }

 private:
  static constexpr std::int64_t kSlots = kCount + 1;  // the closed bins and the open one
  Bin& slot(std::int64_t number) { return bins_[static_cast<std::size_t>(number % kSlots)]; }
  std::array<Bin, kSlots> bins_{};
  Instant start_;
  std::int64_t open_ = -1;  // the bin being filled
  Bin empty_;
};

// Sums for least-squares fits of light (in bins of `count` points) to a constant and to a wave
// shape, each with its best offset.
struct WaveFit {
  double n = 0, y = 0, yy = 0, w = 0, ww = 0, yw = 0;
  void add(double count, double level, double wave) {
    n += count;
    y += count * level;
    yy += count * level * level;
    w += count * wave;
    ww += count * wave * wave;
    yw += count * level * wave;
  }
  double flat() const { return yy - y * y / n; }  // squared residuals
  double wave() const { return yy - 2 * yw + ww - (y - w) * (y - w) / n; }
};
// A triangle wave of period 1: full at whole numbers, zero halfway.
inline double triangle(double u) {
  double fraction = u - static_cast<double>(static_cast<std::int64_t>(u));  // cheaper than floor
  if (fraction < 0) fraction += 1;
  return std::abs(2 * fraction - 1);
}

}  // namespace cyanrig::led_detail
