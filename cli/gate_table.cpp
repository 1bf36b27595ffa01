#include "cli/gate_table.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"

namespace cyanrig::cli {

namespace {

std::string p75_text(const std::optional<double>& p75, int count, int missing) {
  if (count + missing == 0) return "-";
  if (!p75) return "censored";
  return fmt::format("{:.3f}", *p75);
}

std::string samples_text(int count, int missing) {
  return missing == 0 ? fmt::format("{}", count) : fmt::format("{}+{}m", count, missing);
}

}  // namespace

void add_gate_settings(CLI::App* command, GateArgs& args) {
  command->add_option("--max-regression", args.max_regression,
                      "How much slower a p75 may get before it counts, e.g. 20% (default)");
  command->add_option("--alpha", args.alpha, "Significance level of the rank test (default 0.05)")
      ->check(CLI::Range(0.0001, 0.5));
}

int run_gate(RunHistory& history, std::int64_t candidate, const GateArgs& args, std::FILE* out) {
  const auto margin = parse_margin(args.max_regression);
  if (!margin) {
    fmt::print(stderr, "cyanrig gate: --max-regression '{}': expected a percentage such as 20%\n",
               args.max_regression);
    return kExitInvalid;
  }
  const GateSettings settings{.max_regression = *margin, .alpha = args.alpha};
  GateOutcome outcome;
  try {
    outcome = gate_run(history, candidate, args.baseline, settings);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "cyanrig gate: {}\n", e.what());
    return kExitInvalid;
  } catch (const HistoryError& e) {
    fmt::print(stderr, "cyanrig gate: {}\n", e.what());
    return kExitInfrastructure;
  }
  fmt::print(out, "gate: run {} against baseline run {} ({}): p75 may grow {:g}%, rank test alpha {:g}\n",
             outcome.candidate, outcome.baseline, args.baseline, *margin * 100, args.alpha);
  fmt::print(out, "{:<22} {:<9} {:>7} {:>11} {:>7} {:>11} {:>8} {:>9}  {}\n", "measurement", "platform",
             "n base", "p75 base", "n now", "p75 now", "change", "p slower", "verdict");
  for (const GateRow& r : outcome.rows) {
    const std::string change = r.change ? fmt::format("{:+.1f}%", *r.change * 100) : "-";
    fmt::print(out, "{:<22} {:<9} {:>7} {:>11} {:>7} {:>11} {:>8} {:>9.4f}  {}\n",
               r.measurement + (r.unit.empty() ? "" : " (" + r.unit + ")"), r.platform,
               samples_text(r.baseline_count, r.baseline_missing),
               p75_text(r.baseline_p75, r.baseline_count, r.baseline_missing),
               samples_text(r.candidate_count, r.candidate_missing),
               p75_text(r.candidate_p75, r.candidate_count, r.candidate_missing), change, r.slower.p_value,
               to_string(r.verdict));
  }
  fmt::print(out, "gate: {}\n",
             outcome.regressed() ? "FAIL (a measurement got slower beyond the margin)" : "pass");
  return outcome.regressed() ? kExitDevice : kExitPass;
}

}  // namespace cyanrig::cli
