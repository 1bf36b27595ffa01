#include "cli/rack_outages.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace cyanrig::cli {
namespace {

using namespace std::chrono_literals;

// Each backend answers in well under its own command timeouts (at most 30 s); past this the lab is stuck.
constexpr Duration kWholeCommandLimit = 2min;

}  // namespace

bool RackOutages::build() {
  bool built = true;
  for (const Segment& segment : bench_.rack().segments) {
    for (const BackendSpec& spec : segment.outages) {
      const std::string label = fmt::format("{} / {}", segment.name, spec.backend);
      auto outage = bench_.build<OutageSwitch>(BackendSite{spec, nullptr, &segment}, label);
      if (!outage) {
        built = false;
        continue;
      }
      outages_.push_back({segment.name, label, std::move(outage)});
    }
  }
  return built;
}

bool RackOutages::each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step) {
  std::size_t index = 0;
  Done all_done;
  std::function<void()> next = [&] {
    if (index == outages_.size()) return all_done(Status{});
    RackOutage& outage = outages_[index++];
    step(outage, next);
  };
  const Status finished = bench_.await(
      [&](Done done) {
        all_done = std::move(done);
        next();
      },
      kWholeCommandLimit);
  if (!finished.ok()) {
    fmt::print(stderr, "cyanrig: the outage backends did not answer within {} s\n",
               to_seconds(kWholeCommandLimit));
  }
  return finished.ok();
}

std::map<std::string, bool> RackOutages::in_force() {
  std::map<std::string, bool> segments;
  for (const Segment& s : rack().segments) segments[s.name] = false;
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

}  // namespace cyanrig::cli
