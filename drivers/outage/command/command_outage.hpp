// Outage backend `command`: a do/undo pair of shell commands, for what only a command can reach (a
// managed switch's port, a SIM paused through the carrier's API, hostapd stopped on the Pi).
//
//   outage: {backend: command, do: "switchctl port 4 disable", undo: "switchctl port 4 enable",
//            status: "switchctl port 4 show | grep -q disabled", timeout: 10s, modes: [internet]}
//
// `do` and `undo` must exit 0. `status`, when given, says whether the outage is in force (exit 0) or
// not (exit 1); it confirms each do and undo, answers `cyanrig outage status`, and lets the sweep
// before a run undo only what is in force. `undo` must be safe to run when nothing is in force, and
// twice: the rig runs it to lift an outage whatever happened before (a failed do, a killed run, the
// sweep before a run when there is no status command, `cyanrig outage clear`).
//
// `modes` lists the outage modes the commands perform (default [internet]). The commands run through
// /bin/sh -c with CYANRIG_SEGMENT, CYANRIG_OUTAGE_MODE, CYANRIG_OUTAGE_ACTION and, for impair,
// CYANRIG_IMPAIR_LOSS_PERCENT, CYANRIG_IMPAIR_DELAY_MS and CYANRIG_IMPAIR_JITTER_MS set (for undo:
// those of the outage being lifted, if this run started one).
#pragma once

#include "drivers/posix/shell_command.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<OutageSwitch> command_outage_backend();

// The variables the commands see for an outage on `segment` (spec null: no outage known).
Environment outage_environment(const std::string& segment, const OutageSpec* spec);

}  // namespace cyanrig
