#include "drivers/outage/common/interface_outage.hpp"

#include <fmt/format.h>

#include <chrono>

namespace cyanrig {

namespace {
// How often a backend looks for its outage's effect while it is in force.
constexpr Duration kCheckPeriod = std::chrono::milliseconds(500);
}  // namespace

InterfaceOutageSwitch::InterfaceOutageSwitch(Clock& clock, InterfaceParams params, std::string segment,
                                             std::string label, Tool tool, std::vector<std::string> withheld)
    : clock_(clock),
      params_(std::move(params)),
      segment_(std::move(segment)),
      label_(std::move(label)),
      tool_(std::move(tool)),
      withheld_(std::move(withheld)),
      tools_(clock),
      poll_(clock, kCheckPeriod) {}

std::string InterfaceOutageSwitch::describe() const {
  return fmt::format("{} {}{}", label_, params_.interface,
                     params_.netns.empty() ? "" : " in netns " + params_.netns);
}

void InterfaceOutageSwitch::run_tool(const std::vector<std::string>& argv, bool keep_output,
                                     CommandQueue::Finished then) {
  QueuedCommand command{.spec = {.text = tool_command_line(params_.netns, argv),
                                 .timeout = tool_.timeout,
                                 .withheld = withheld_},
                        .keep_output = keep_output};
  tools_.run(std::move(command), lifetime_.bind(std::move(then)));
}

Status InterfaceOutageSwitch::failure(std::string_view what, const CommandOutput& out) const {
  return fault(fmt::format("{} could not {} {}: {}", tool_.name, what, params_.interface,
                           describe_ending(out.result, tool_.timeout)));
}

void InterfaceOutageSwitch::answer(Done done, Status status) {
  clock_.post(lifetime_.bind([done = std::move(done), status = std::move(status)] { done(status); }));
}

}  // namespace cyanrig
