// `cyanrig led decode TRACE`: LED states in a colour-sensor trace, as JSON lines; and the `led` group
// that `led calibrate` (led_calibrate_command.cpp) joins.
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "rig/led/led_decoder.hpp"
#include "rig/led/led_state.hpp"
#include "rig/led/led_trace_csv.hpp"

namespace cyanrig::cli {
namespace {

int cmd_led_decode(const std::string& file) {
  Diagnostics diags;
  const auto samples = read_led_trace_csv(file, diags);
  if (!samples) {
    print_diagnostics(diags);
    return kExitInvalid;
  }
  LedDecoder decoder;
  std::vector<LedStateChange> states = decoder.feed(*samples);
  for (auto& s : decoder.finish()) states.push_back(std::move(s));
  const Instant end = samples->empty() ? Instant{} : samples->back().t;
  for (std::size_t i = 0; i < states.size(); ++i) {
    const Instant state_end = i + 1 < states.size() ? states[i + 1].start : end;
    std::cout << led_state_json_line(states[i], state_end) << "\n";
  }
  return kExitPass;
}

}  // namespace

void add_led_commands(CLI::App& app, Subcommands& commands) {
  auto file = std::make_shared<std::string>();
  auto* led = app.add_subcommand("led", "Status LED traces and sensors");
  led->require_subcommand(1);
  auto* decode =
      led->add_subcommand("decode", "Decode a t_ms,r,g,b[,c] CSV trace into LED states (JSON lines)");
  decode->add_option("file", *file, "Trace CSV")->required()->check(CLI::ExistingFile);
  commands.on(decode, [file] { return cmd_led_decode(*file); });
  add_led_calibrate_command(*led, commands);
}

}  // namespace cyanrig::cli
