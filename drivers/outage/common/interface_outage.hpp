// What the outage backends acting on one interface of the Pi (netem with tc, link with ip) share:
// their tool run through one queue (inside the backend's netns when it has one), its failures
// worded alike, the poll that looks for the outage's effect and the listener it reports to.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/effect_poll.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "rig/capabilities/outage.hpp"

namespace cyanrig {

class InterfaceOutageSwitch : public OutageSwitch {
 public:
  bool active() const override { return active_; }
  // "netem on wlan0", "link wlan0 in netns rig".
  std::string describe() const override;
  void watch(Effects on_effect) override { on_effect_ = std::move(on_effect); }

 protected:
  // The command-line tool the backend drives ("tc", "ip") and how long one call may take.
  struct Tool {
    std::string name;
    Duration timeout;
  };

  // `withheld`: variables of the rig's environment the tool must not see (the rack's secret_env).
  InterfaceOutageSwitch(Clock& clock, InterfaceParams params, std::string segment, std::string label,
                        Tool tool, std::vector<std::string> withheld);

  const InterfaceParams& params() const { return params_; }
  const std::string& segment() const { return segment_; }
  Clock& clock() { return clock_; }
  EffectPoll& poll() { return poll_; }
  void set_active(bool active) { active_ = active; }

  // Runs the tool (argv[0] is its name) in the queue; `then` is dropped once the switch is gone.
  void run_tool(const std::vector<std::string>& argv, bool keep_output, CommandQueue::Finished then);
  // "tc could not put netem on wlan0: exited 2: <stderr tail>".
  Status failure(std::string_view what, const CommandOutput& out) const;
  // Answers on the loop, never inside the caller (and not at all once the switch is gone).
  void answer(Done done, Status status);
  void report_effect(const std::string& evidence) const {
    if (on_effect_) on_effect_(OutageEffect{"", evidence});
  }
  // Binds a callback to this switch's life.
  template <typename Fn>
  auto bound(Fn fn) const {
    return lifetime_.bind(std::move(fn));
  }

 private:
  Clock& clock_;
  InterfaceParams params_;
  std::string segment_;
  std::string label_;
  Tool tool_;
  std::vector<std::string> withheld_;
  CommandQueue tools_;
  bool active_ = false;
  Effects on_effect_;
  EffectPoll poll_;
  Lifetime lifetime_;  // last: answers arriving after the switch is gone are dropped
};

}  // namespace cyanrig
