// The gate's verdict as CI logs show it: one row per measurement and platform.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "rig/gate/history_gate.hpp"

namespace cyanrig::cli {

struct GateArgs {
  std::string baseline;                // --baseline last-pass|RUN|tag:NAME
  std::string max_regression = "20%";  // --max-regression
  double alpha = 0.05;                 // --alpha
};

// Adds --max-regression and --alpha (the baseline option is the caller's: `gate --baseline`,
// `run --gate`).
void add_gate_settings(CLI::App* command, GateArgs& args);

// Compares run `candidate` with its baseline and prints the table to `out`; returns 0 when nothing
// regressed, 1 when something did, 2 for a baseline or margin that does not exist, 3 for a history
// error.
int run_gate(RunHistory& history, std::int64_t candidate, const GateArgs& args, std::FILE* out);

}  // namespace cyanrig::cli
