#include "cli/rack_outages.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "cli/rack_choice.hpp"

namespace cyanrig::cli {
namespace {

using namespace std::chrono_literals;

// Each backend answers in well under its own command timeouts (at most 30 s); past this the lab is stuck.
constexpr Duration kWholeCommandLimit = 2min;

}  // namespace

bool RackOutages::load(const std::string& path) {
  auto rack = open_rack(path);
  return rack && build(*rack);
}

bool RackOutages::build(const Rack& rack) {
  rack_ = std::make_unique<Rack>(rack);
  clock_ = clock_for(*rack_);
  context_ = std::make_unique<BackendContext>(*clock_, *rack_, 1);
  bool built = true;
  for (const Segment& segment : rack_->segments) {
    for (const BackendSpec& spec : segment.outages) built = build_one(segment, spec) && built;
  }
  return built;
}

bool RackOutages::each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step) {
  std::size_t index = 0;
  std::function<void()> next = [&] {
    if (index == outages_.size()) return clock_->stop();
    RackOutage& outage = outages_[index++];
    step(outage, next);
  };
  bool timed_out = false;
  const Timer limit = clock_->after(kWholeCommandLimit, [&] {
    timed_out = true;
    clock_->stop();
  });
  clock_->post(next);
  clock_->run();
  if (timed_out)
    fmt::print(stderr, "cyanrig: the outage backends did not answer within {} s\n",
               to_seconds(kWholeCommandLimit));
  return !timed_out;
}

std::map<std::string, bool> RackOutages::in_force() {
  std::map<std::string, bool> segments;
  for (const Segment& s : rack_->segments) segments[s.name] = false;
  const bool finished = each_in_turn([&](RackOutage& outage, std::function<void()> next) {
    outage.outage->inspect([&, next](const OutageStatus& status) {
      if (!status.fault.ok()) spdlog::error("{}: cannot tell: {}", outage.label, status.fault.message());
      if (status.in_force || !status.fault.ok()) segments[outage.segment] = true;
      next();
    });
  });
  if (!finished) {
    for (auto& [_, active] : segments) active = true;
  }
  return segments;
}

bool RackOutages::build_one(const Segment& segment, const BackendSpec& spec) {
  const std::string label = fmt::format("{} / {}", segment.name, spec.backend);
  const auto* factory = backends().find<OutageSwitch>(spec.backend);
  try {
    outages_.push_back(
        {segment.name, label, factory->create(BackendSite{spec, nullptr, &segment}, *context_)});
    return true;
  } catch (const std::exception& e) {
    fmt::print(stderr, "cyanrig: {}: {}\n", label, e.what());
    return false;
  }
}

}  // namespace cyanrig::cli
