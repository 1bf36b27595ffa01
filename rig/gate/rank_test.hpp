// The Mann-Whitney U (Wilcoxon rank-sum) test, one-sided: are the candidate's values larger than the
// baseline's? It compares ranks, not means, so one slow outlier neither hides nor fakes a slowdown,
// and it needs no assumption about the shape of the distribution (reconnect times are skewed).
#pragma once

#include <cstddef>
#include <vector>

namespace cyanrig {

struct RankTest {
  double u = 0;           // pairs (candidate, baseline) where the candidate is larger; ties count 1/2
  double p_value = 1;     // chance of a U at least this large if both came from one distribution
  bool exact = false;     // exact distribution (small samples without ties) or the normal approximation
  double smallest_p = 1;  // the smallest p-value these sample sizes can give at all
};

// Values may be +infinity: a censored sample (a repeat that never reached the measurement's end)
// ranks above every measured one. Exact when both samples have at most 30 values and there are no
// ties; otherwise the normal approximation with tie and continuity corrections. Empty input: p = 1.
RankTest candidate_larger(const std::vector<double>& baseline, const std::vector<double>& candidate);

}  // namespace cyanrig
