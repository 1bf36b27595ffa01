#include "rig/gate/regression_gate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "rig/results/writers.hpp"

namespace cyanrig {

namespace {

constexpr double kCensored = std::numeric_limits<double>::infinity();

std::vector<double> ranked_values(const GateSamples& s) {
  std::vector<double> out;
  for (const auto& v : s.values) out.push_back(v.value_or(kCensored));
  return out;
}

// The p75 the summary would give if every censored sample were larger than every measured one:
// empty when the rank falls among the censored ones (the p75 is "more than the largest seen").
std::optional<double> p75_of(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double rank = static_cast<double>(sorted.size() - 1) * 0.75;
  const auto above = std::min(static_cast<std::size_t>(std::ceil(rank)), sorted.size() - 1);
  if (std::isinf(sorted[above])) return std::nullopt;
  return percentile(sorted, 75);
}

int count_of(const GateSamples& s, bool measured) {
  return static_cast<int>(std::count_if(s.values.begin(), s.values.end(),
                                        [&](const auto& v) { return v.has_value() == measured; }));
}

const GateSamples* find(const std::vector<GateSamples>& all, const GateSamples& like) {
  for (const GateSamples& s : all) {
    if (s.measurement == like.measurement && s.platform == like.platform) return &s;
  }
  return nullptr;
}

// Holm's step-down correction: with m rows compared, the k-th smallest p-value (from 0) must be below
// alpha / (m - k), and every smaller one too, so alpha bounds the chance that noise fails any row of
// the gate, not each row.
std::vector<double> holm_thresholds(const std::vector<double>& p_values, double alpha) {
  std::vector<std::size_t> order(p_values.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> threshold(p_values.size(), 0.0);  // 0: never significant
  for (std::size_t k = 0; k < order.size(); ++k) {
    const double limit = alpha / static_cast<double>(order.size() - k);
    if (p_values[order[k]] >= limit) break;
    threshold[order[k]] = limit;
  }
  return threshold;
}

GateVerdict judge(const GateRow& row, bool baseline_censored, bool candidate_censored,
                  const GateSettings& settings) {
  if (row.baseline_count + row.baseline_missing == 0) return GateVerdict::no_baseline;
  // How much slower: a censored candidate p75 against a measured baseline is slower beyond any margin.
  const bool beyond_slower =
      (candidate_censored && !baseline_censored) || (row.change && *row.change > settings.max_regression);
  const bool beyond_faster =
      (baseline_censored && !candidate_censored) || (row.change && *row.change < -settings.max_regression);
  if (beyond_slower && row.slower.p_value < settings.alpha) return GateVerdict::regressed;
  if (beyond_faster && row.faster.p_value < settings.alpha) return GateVerdict::improved;
  if (beyond_slower && row.slower.smallest_p >= settings.alpha) return GateVerdict::too_few;
  return GateVerdict::ok;
}

// A regression stands only if its p-value passes Holm's threshold among every row compared.
void correct_for_many_rows(std::vector<GateRow>& rows, const GateSettings& settings) {
  std::vector<double> p_values;
  std::vector<GateRow*> compared;
  for (GateRow& r : rows) {
    if (r.verdict == GateVerdict::no_baseline) continue;
    p_values.push_back(r.slower.p_value);
    compared.push_back(&r);
  }
  const auto threshold = holm_thresholds(p_values, settings.alpha);
  for (std::size_t i = 0; i < compared.size(); ++i) {
    if (compared[i]->verdict == GateVerdict::regressed && !(p_values[i] < threshold[i]))
      compared[i]->verdict = GateVerdict::ok;
  }
}

}  // namespace

std::string_view to_string(GateVerdict v) {
  switch (v) {
    case GateVerdict::ok:
      return "ok";
    case GateVerdict::regressed:
      return "REGRESSED";
    case GateVerdict::improved:
      return "improved";
    case GateVerdict::too_few:
      return "too few repeats";
    case GateVerdict::no_baseline:
      return "no baseline";
  }
  return "ok";
}

std::vector<GateRow> compare_runs(const std::vector<GateSamples>& baseline,
                                  const std::vector<GateSamples>& candidate, const GateSettings& settings) {
  std::vector<GateRow> rows;
  for (const GateSamples& c : candidate) {
    GateRow row{.measurement = c.measurement, .unit = c.unit, .platform = c.platform};
    row.candidate_count = count_of(c, true);
    row.candidate_missing = count_of(c, false);
    const std::vector<double> cand = ranked_values(c);
    row.candidate_p75 = p75_of(cand);
    const GateSamples* b = find(baseline, c);
    const std::vector<double> base = b != nullptr ? ranked_values(*b) : std::vector<double>{};
    if (b != nullptr) {
      row.baseline_count = count_of(*b, true);
      row.baseline_missing = count_of(*b, false);
      row.baseline_p75 = p75_of(base);
    }
    if (row.baseline_p75 && row.candidate_p75 && *row.baseline_p75 > 0)
      row.change = *row.candidate_p75 / *row.baseline_p75 - 1.0;
    row.slower = candidate_larger(base, cand);
    row.faster = candidate_larger(cand, base);
    row.verdict =
        judge(row, !base.empty() && !row.baseline_p75, !cand.empty() && !row.candidate_p75, settings);
    rows.push_back(std::move(row));
  }
  correct_for_many_rows(rows, settings);
  return rows;
}

std::optional<double> parse_margin(std::string_view text) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  double percent = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(percent >= 0))
    return std::nullopt;
  return percent / 100.0;
}

}  // namespace cyanrig
