#include "rig/gate/rank_test.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace cyanrig {

namespace {

constexpr std::size_t kExactLimit = 30;

// P(U >= u) for sample sizes m (candidate) and n (baseline) without ties, from the count of
// arrangements: f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u), as probabilities to stay in range.
double exact_upper_tail(std::size_t m, std::size_t n, double u) {
  const std::size_t max_u = m * n;
  // prob[j][k]: distribution of U for sample sizes (i, j) built up over i.
  std::vector<std::vector<std::vector<double>>> f(m + 1, std::vector<std::vector<double>>(n + 1));
  for (std::size_t i = 0; i <= m; ++i) {
    for (std::size_t j = 0; j <= n; ++j) {
      f[i][j].assign(i * j + 1, 0.0);
      if (i == 0 || j == 0) {
        f[i][j][0] = 1.0;
        continue;
      }
      // The largest value is a candidate's (probability i / (i + j)): it beats all j baseline values.
      const double pc = static_cast<double>(i) / static_cast<double>(i + j);
      for (std::size_t k = 0; k < f[i - 1][j].size(); ++k) f[i][j][k + j] += pc * f[i - 1][j][k];
      for (std::size_t k = 0; k < f[i][j - 1].size(); ++k) f[i][j][k] += (1 - pc) * f[i][j - 1][k];
    }
  }
  double tail = 0;
  const auto from = static_cast<std::size_t>(std::ceil(u - 1e-9));
  for (std::size_t k = from; k <= max_u; ++k) tail += f[m][n][k];
  return std::min(1.0, tail);
}

}  // namespace

RankTest candidate_larger(const std::vector<double>& baseline, const std::vector<double>& candidate) {
  RankTest t;
  const std::size_t n = baseline.size();
  const std::size_t m = candidate.size();
  if (n == 0 || m == 0) return t;
  bool ties = false;
  for (const double c : candidate) {
    for (const double b : baseline) {
      if (c > b) t.u += 1;
      if (c == b) {
        t.u += 0.5;
        ties = true;
      }
    }
  }
  std::map<double, int> counts;
  for (const double v : baseline) ++counts[v];
  for (const double v : candidate) ++counts[v];
  for (const auto& [value, k] : counts) ties = ties || k > 1;
  if (!ties && m <= kExactLimit && n <= kExactLimit) {
    t.exact = true;
    t.p_value = exact_upper_tail(m, n, t.u);
    t.smallest_p = exact_upper_tail(m, n, static_cast<double>(m * n));
    return t;
  }
  const double mm = static_cast<double>(m);
  const double nn = static_cast<double>(n);
  const double total = mm + nn;
  double tie_term = 0;
  for (const auto& [value, k] : counts) tie_term += std::pow(k, 3) - k;
  const double variance = mm * nn / 12.0 * ((total + 1) - tie_term / (total * (total - 1)));
  const double mean = mm * nn / 2.0;
  const auto upper_p = [&](double u) {
    if (variance <= 0) return u > mean ? 0.0 : 1.0;
    const double z = (u - mean - 0.5) / std::sqrt(variance);
    return 0.5 * std::erfc(z / std::sqrt(2.0));
  };
  t.p_value = std::min(1.0, upper_p(t.u));
  t.smallest_p = std::min(1.0, upper_p(mm * nn));
  return t;
}

}  // namespace cyanrig
