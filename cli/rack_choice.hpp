// The one place a command gets its rack: the file given with --rack, or the built-in simulated rack;
// every backend's parameters checked against what this binary has compiled in; every problem printed
// once as file:line:col. And the clock that rack runs on.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "rig/clock.hpp"
#include "rig/core/diagnostic.hpp"
#include "rig/lock/rack_lock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::cli {

// Every backend compiled into this binary.
const BackendRegistry& backends();

// The rack at `path` (the built-in simulated rack when empty), with its backends validated; problems
// are added to `diags`.
std::optional<Rack> load_rack(const std::string& path, Diagnostics& diags);

// As load_rack, printing the problems; empty when there were any (the command exits 2).
std::optional<Rack> open_rack(const std::string& path);

// The virtual clock for a rack made only of simulated backends, the steady clock otherwise.
std::unique_ptr<Clock> clock_for(const Rack& rack);

// Every command that acts on the rack holds its lock (docs/operations.md): `--lock-wait DURATION` on
// the command, then lock_rack() before touching anything. A bad duration is a usage error (exit 2).
void add_lock_wait_option(CLI::App& command, Duration& wait);

// The rack's lock (one that holds nothing for a rack that shares nothing), or nothing with the
// reason printed, naming the holder: the command then exits 3 (kExitInfrastructure). While it
// waits it says so once on stderr.
//   auto lock = lock_rack(*rack, {.command = "run", .scenario = scenario->name, .wait = args.lock_wait});
//   if (!lock) return kExitInfrastructure;
std::optional<RackLock> lock_rack(const Rack& rack, LockRequest request);

// Prints each problem once (a bad `defaults:` block is reported by every device using it, and a rack
// given both as a file and as --rack is read twice); returns how many were printed.
std::size_t print_diagnostics(const Diagnostics& diags);
// The warnings among them, each once, as "file:line:col: warning: ...".
void print_warnings(const Diagnostics& diags);

}  // namespace cyanrig::cli
