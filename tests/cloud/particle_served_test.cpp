// The Particle client against `cyanrig sim serve`'s API server (the simulated rack behind a
// Particle-compatible HTTP API on loopback), with the server's fault injection for each error the
// issue lists: 401, 404, 408, 429 with Retry-After, 500, a silent stream, a dropped connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/cloud/particle/particle_cloud.hpp"
#include "drivers/sim/serve/served_rack.hpp"
#include "rig/clock.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/cloud/cloud_client_test.hpp"
#include "tests/support/rack_support.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* kToken = "served-test-token-0123456789abcdef";
const DeviceId kArgon1 = *DeviceId::parse("e00fce68a1b2c3d4e5f60718");

class ServedCloud : public test::CloudClientTest {
 protected:
  ServedCloud()
      : served_(builtin_sim_rack(),
                sim::ServedRackOptions{.seed = 3,
                                       .serve = {.token = kToken, .stream_keepalive = 100ms},
                                       .device_timeout = 1s,
                                       .ptys = false}) {
    served_.start();
  }

  // The client runs on this thread's own steady clock; the served rack on a thread of its own.
  std::unique_ptr<Cloud> connect(const std::string& token = kToken, Duration idle_timeout = 90s) {
    ParticleSettings settings;
    settings.url = *parse_api_url(served_.server().url()).url;
    settings.request_timeout = 3s;
    settings.stream_idle_timeout = idle_timeout;
    std::set<DeviceId> devices;
    for (const RackDevice& d : served_.rack().devices) devices.insert(d.id);
    return make_particle_cloud(*clock_, std::move(settings), AccessToken::load(token, {}), std::move(devices),
                               1);
  }

  sim::ServedRack served_;
};

TEST_F(ServedCloud, DeviceInfoOfARackDevice) {
  auto cloud = connect();
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kArgon1, reply); });
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.body["id"], kArgon1.str());
  EXPECT_EQ(r.body["online"], false);
}

TEST_F(ServedCloud, WrongTokenIsATokenProblem) {
  auto cloud = connect("not-the-token");
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kArgon1, reply); });
  EXPECT_EQ(r.error, CloudError::token);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_THAT(r.message, HasSubstr("invalid_token"));
}

TEST_F(ServedCloud, Injected401) {
  auto cloud = connect();
  served_.server().inject({.status = 401, .count = 1});
  EXPECT_EQ(ask([&](Cloud::Reply reply) { cloud->read_variable(kArgon1, "version", reply); }).error,
            CloudError::token);
}

TEST_F(ServedCloud, UnknownDeviceIsNotFound) {
  auto cloud = connect();
  const CloudReply r = ask(
      [&](Cloud::Reply reply) { cloud->device_info(*DeviceId::parse("0123456789abcdef01234567"), reply); });
  EXPECT_EQ(r.error, CloudError::not_found);
  EXPECT_EQ(r.http_status, 404);
}

TEST_F(ServedCloud, OfflineDeviceTimesOut) {
  auto cloud = connect();
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kArgon1, "ping", "x", reply); });
  EXPECT_EQ(r.error, CloudError::timed_out);
  EXPECT_EQ(r.http_status, 408);
  EXPECT_THAT(r.message, HasSubstr("Timed out."));
}

TEST_F(ServedCloud, RateLimitHonoursRetryAfter) {
  auto cloud = connect();
  served_.server().inject({.status = 429, .count = 1, .retry_after = 1s});
  const Instant asked = clock_->now();
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kArgon1, reply); });
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_GE(clock_->now() - asked, Duration(1s));
  EXPECT_EQ(served_.server().faults().count, 0);
}

TEST_F(ServedCloud, ServerErrorRetriedForAReadNotForACall) {
  auto cloud = connect();
  served_.server().inject({.status = 500, .count = 1});
  EXPECT_TRUE(ask([&](Cloud::Reply reply) { cloud->device_info(kArgon1, reply); }).ok());
  served_.server().inject({.status = 500, .count = 1});
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kArgon1, "ping", "", reply); });
  EXPECT_EQ(r.error, CloudError::server);
  EXPECT_EQ(r.http_status, 500);
}

TEST_F(ServedCloud, DroppedConnectionRetriedForAReadNotForACall) {
  auto cloud = connect();
  served_.server().inject({.drop_connections = true});
  EXPECT_TRUE(ask([&](Cloud::Reply reply) { cloud->device_info(kArgon1, reply); }).ok());
  served_.server().inject({.drop_connections = true});
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kArgon1, "ping", "", reply); });
  EXPECT_EQ(r.error, CloudError::connection);
}

TEST_F(ServedCloud, SilentStreamIsReopened) {
  auto cloud = connect(kToken, 400ms);
  cloud->subscribe([](const CloudEvent&) {});
  run_until([&] { return log().find("event stream open at") != std::string::npos; });
  served_.server().inject({.silent_stream = true});
  run_until([&] { return log().find("for 400ms") != std::string::npos; });
  served_.server().inject({});
  run_until([&] { return log().find("event stream open again") != std::string::npos; });
}

TEST_F(ServedCloud, DroppedStreamIsReopened) {
  auto cloud = connect();
  cloud->subscribe([](const CloudEvent&) {});
  run_until([&] { return log().find("event stream open at") != std::string::npos; });
  served_.server().inject({.drop_connections = true});
  run_until([&] { return log().find("event stream lost") != std::string::npos; });
  run_until([&] { return log().find("event stream open again") != std::string::npos; });
}

}  // namespace
}  // namespace cyanrig
