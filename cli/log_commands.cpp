// `cyanrig log parse FILE`: the Device OS events in a captured serial log, one JSON object a line.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "rig/devos/log_capture.hpp"
#include "rig/devos/log_parser.hpp"

namespace cyanrig::cli {
namespace {

int cmd_log_parse(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    fmt::print(stderr, "{}: cannot read file\n", file);
    return kExitInvalid;
  }
  DevosLogParser parser;
  parse_log_stream(in, std::cout, parser);
  return kExitPass;
}

}  // namespace

void add_log_commands(CLI::App& app, Subcommands& commands) {
  auto file = std::make_shared<std::string>();
  auto* log = app.add_subcommand("log", "Device OS serial logs");
  log->require_subcommand(1);
  auto* parse = log->add_subcommand("parse", "Print one JSON object per recognised Device OS event");
  parse->add_option("file", *file, "Captured serial log")->required()->check(CLI::ExistingFile);
  commands.on(parse, [file] { return cmd_log_parse(*file); });
}

}  // namespace cyanrig::cli
