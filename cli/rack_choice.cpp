#include "cli/rack_choice.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "drivers/all_backends.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::cli {

const BackendRegistry& backends() {
  return all_backends();
}

std::optional<Rack> load_rack(const std::string& path, Diagnostics& diags) {
  std::optional<Rack> rack =
      path.empty() ? std::optional<Rack>(builtin_sim_rack()) : load_rack_file(path, diags);
  if (rack) validate_rack_backends(*rack, backends(), diags);
  return rack;
}

std::optional<Rack> open_rack(const std::string& path) {
  Diagnostics diags;
  auto rack = load_rack(path, diags);
  if (!rack || !diags.empty()) {
    if (print_diagnostics(diags) == 0) fmt::print(stderr, "{}: cannot read the rack file\n", path);
    return std::nullopt;
  }
  return rack;
}

std::unique_ptr<Clock> clock_for(const Rack& rack) {
  return rack_is_simulated(rack, backends()) ? make_virtual_clock() : make_steady_clock();
}

void print_warnings(const Diagnostics& diags) {
  std::set<std::string> printed;
  for (const Diagnostic& d : diags.warnings()) {
    const Diagnostic warning{d.loc, "warning: " + d.message};
    if (printed.insert(warning.to_string()).second) fmt::print(stderr, "{}\n", warning.to_string());
  }
}

void add_lock_wait_option(CLI::App& command, Duration& wait) {
  command
      .add_option_function<std::string>(
          "--lock-wait",
          [&wait](const std::string& text) {
            const DurationParse parsed = parse_duration(text);
            if (!parsed.value) throw CLI::ValidationError("--lock-wait", parsed.error);
            wait = *parsed.value;
          },
          "When another command holds the rack, wait this long for it (e.g. 10m) instead of exiting 3 at "
          "once")
      ->type_name("DURATION");
}

std::optional<RackLock> lock_rack(const Rack& rack, LockRequest request) {
  if (!request.on_wait) {
    request.on_wait = [](const std::string& message) { fmt::print(stderr, "cyanrig: {}\n", message); };
  }
  RackLockAttempt attempt = take_rack_lock(rack, request, backends());
  if (!attempt) {
    fmt::print(stderr, "cyanrig: {}\n", attempt.refusal);
    return std::nullopt;
  }
  return std::move(attempt.lock);
}

std::size_t print_diagnostics(const Diagnostics& diags) {
  std::set<std::string> printed;
  for (const Diagnostic& d : diags.items()) {
    if (printed.insert(d.to_string()).second) fmt::print(stderr, "{}\n", d.to_string());
  }
  return printed.size();
}

}  // namespace cyanrig::cli
