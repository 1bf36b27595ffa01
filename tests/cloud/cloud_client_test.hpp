// A fixture for tests of the Particle cloud client on this thread's steady clock: the client's log
// captured, the loop run until a condition, and a request's reply waited for.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "rig/capabilities/cloud.hpp"
#include "rig/clock.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/time.hpp"
#include "tests/support/rack_support.hpp"

namespace cyanrig::test {

class CloudClientTest : public ::testing::Test {
 protected:
  CloudClientTest() : log_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_)) {
    component_log("particle").sinks().push_back(log_);
  }
  ~CloudClientTest() override {
    auto& sinks = component_log("particle").sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_), sinks.end());
  }

  // Runs the loop until `done` or the limit (a safety net, far above what any test needs).
  void run_until(const std::function<bool()>& done, Duration limit = std::chrono::seconds(20)) {
    ASSERT_TRUE(test::run_until(*clock_, done, limit)) << "not done within " << to_seconds(limit) << " s";
  }

  // Makes the request and runs the loop until its reply comes (an empty reply, and a failure, if
  // none does).
  CloudReply ask(const std::function<void(Cloud::Reply)>& request) {
    std::optional<CloudReply> got;
    request([&](CloudReply r) { got = std::move(r); });
    run_until([&] { return got.has_value(); });
    return got.value_or(CloudReply{});
  }

  // What the client has logged so far.
  std::string log() const { return log_text_.str(); }

  std::unique_ptr<Clock> clock_ = make_steady_clock();

 private:
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> log_;
};

}  // namespace cyanrig::test
