// What CLI11 does not check by itself: numbers that are whole and in range (it reads "--seed -1" as
// 2^64-1 and a port past 65535 modulo 65536), and a mistyped command (it only says "A subcommand
// is required").
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace cyanrig::cli {

// Accepts decimal digits only (no sign, no spaces) for a value from `min` to `max`.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max);

// When the command line names a command that `app` (or the command group it picked) does not
// have, what to tell the user: "cyanrig: 'rn' is not a cyanrig command (did you mean 'run'?) ...".
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv);

}  // namespace cyanrig::cli
