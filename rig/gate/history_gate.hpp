// The gate over the history: which run is the baseline (last-pass, a run id, tag:NAME), and each of
// the candidate's measurements per platform compared with it (regression_gate.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rig/gate/regression_gate.hpp"
#include "rig/history/run_history.hpp"

namespace cyanrig {

struct GateOutcome {
  std::int64_t candidate = 0;
  std::int64_t baseline = 0;
  std::vector<GateRow> rows;
  bool regressed() const;
};

// `baseline`: "last-pass" (the latest passing run of the candidate's scenario before it), a run id,
// or "tag:NAME" (the latest run of the scenario before it tagged NAME, by `history tag` or
// --firmware). Throws std::invalid_argument with the reason when there is no such baseline.
GateOutcome gate_run(RunHistory& history, std::int64_t candidate, const std::string& baseline,
                     const GateSettings& settings);

}  // namespace cyanrig
