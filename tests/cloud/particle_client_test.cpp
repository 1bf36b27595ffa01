// The Particle client against scripted loopback servers: every error the cloud can give, retries
// only where safe, deadlines, TLS verification, the one shared event stream, and the token kept
// out of every message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "drivers/cloud/particle/particle_cloud.hpp"
#include "rig/clock.hpp"
#include "rig/core/component_log.hpp"
#include "tests/cloud/cloud_client_test.hpp"
#include "tests/cloud/fake_cloud_server.hpp"
#include "tests/cloud/self_signed.hpp"
#include "tests/support/rack_support.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using test::FakeCloudServer;
using test::SeenRequest;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef01234567";
const DeviceId kDevice = *DeviceId::parse("e00fce68a1b2c3d4e5f60718");
const DeviceId kOtherDevice = *DeviceId::parse("aaaaaaaaaaaaaaaaaaaaaaaa");

std::string event(const std::string& name, const std::string& data, const DeviceId& device,
                  const std::string& published_at = "2024-05-01T10:00:00.000Z") {
  return "event: " + name + "\ndata: {\"data\":\"" + data + "\",\"ttl\":60,\"published_at\":\"" +
         published_at + "\",\"coreid\":\"" + device.str() + "\"}\n\n";
}

class ParticleClient : public test::CloudClientTest {
 protected:
  void SetUp() override { component_log("particle").set_level(spdlog::level::trace); }
  void TearDown() override { EXPECT_THAT(log(), Not(HasSubstr(kSecret))) << "the token reached the log"; }

  std::unique_ptr<Cloud> connect(const std::string& url, Duration request_timeout = 3s,
                                 Duration idle_timeout = 90s, std::optional<std::filesystem::path> ca = {}) {
    ParticleSettings settings;
    settings.url = *parse_api_url(url).url;
    settings.request_timeout = request_timeout;
    settings.stream_idle_timeout = idle_timeout;
    settings.ca_file = std::move(ca);
    auto cloud = make_particle_cloud(*clock_, std::move(settings),
                                     AccessToken::load(std::string(kSecret), {}), {kDevice}, 1);
    messages_.push_back(cloud->describe());
    return cloud;
  }
  std::unique_ptr<Cloud> connect(const FakeCloudServer& server, Duration request_timeout = 3s,
                                 Duration idle_timeout = 90s) {
    return connect("http://127.0.0.1:" + std::to_string(server.port()), request_timeout, idle_timeout);
  }

  // The reply, whose message and body are kept with everything else the client said.
  CloudReply ask(const std::function<void(Cloud::Reply)>& request) {
    CloudReply reply = CloudClientTest::ask(request);
    messages_.push_back(reply.message);
    messages_.push_back(reply.body.dump());
    return reply;
  }

  std::vector<std::string> messages_;  // everything the client said; none may hold the token
};

// ---- the requests and what each answer means --------------------------------------------------

TEST_F(ParticleClient, DeviceInfoWithTheToken) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(
        200, R"({"id":"e00fce68a1b2c3d4e5f60718","online":true,"system_firmware_version":"6.2.0"})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); });
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.body["online"], true);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].target, "/v1/devices/e00fce68a1b2c3d4e5f60718");
  EXPECT_THAT(server.requests()[0].head, HasSubstr(std::string("Authorization: Bearer ") + kSecret));
}

TEST_F(ParticleClient, FunctionCallPostsTheArgument) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(200, R"({"id":"e00fce68a1b2c3d4e5f60718","connected":true,"return_value":1})");
  });
  auto cloud = connect(server);
  const CloudReply r =
      ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "led/set", "on & off", reply); });
  EXPECT_EQ(r.body["return_value"], 1);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "POST");
  EXPECT_EQ(server.requests()[0].target, "/v1/devices/e00fce68a1b2c3d4e5f60718/led%2Fset");
  EXPECT_EQ(nlohmann::json::parse(server.requests()[0].body)["arg"], "on & off");
}

TEST_F(ParticleClient, TokenRefusedIsFinal) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(
        401, R"({"error":"invalid_token","error_description":"The access token provided is invalid."})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->read_variable(kDevice, "temp", reply); });
  EXPECT_EQ(r.error, CloudError::token);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_THAT(r.message, HasSubstr("invalid_token"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ParticleClient, UnknownVariable) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(404, R"({"ok":false,"error":"Unknown Variable: temp"})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->read_variable(kDevice, "temp", reply); });
  EXPECT_EQ(r.error, CloudError::not_found);
  EXPECT_THAT(r.message, HasSubstr("Unknown Variable: temp"));
}

TEST_F(ParticleClient, DeviceTimedOutIsNeverRetried) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(408, R"({"ok":false,"error":"Timed out."})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "reset", "", reply); });
  EXPECT_EQ(r.error, CloudError::timed_out);
  EXPECT_EQ(server.requests().size(), 1u);  // the function may have run
}

TEST_F(ParticleClient, RateLimitedWaitsRetryAfterThenSucceeds) {
  int calls = 0;
  FakeCloudServer server(clock_->io(), [&](const SeenRequest&) {
    return ++calls == 1 ? test::respond(429, "{}", "Retry-After: 1\r\n")
                        : test::respond(200, R"({"return_value":0})");
  });
  auto cloud = connect(server);
  const Instant start = clock_->now();
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "go", "", reply); });
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_GE(clock_->now() - start, Duration(1s));  // it honoured Retry-After
}

TEST_F(ParticleClient, RateLimitedBeyondTheDeadlineGivesUpAtOnce) {
  FakeCloudServer server(clock_->io(),
                         [](const SeenRequest&) { return test::respond(429, "{}", "Retry-After: 120\r\n"); });
  auto cloud = connect(server, 2s);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); });
  EXPECT_EQ(r.error, CloudError::rate_limited);
  EXPECT_THAT(r.message, HasSubstr("asked to wait 2m, past this request's 2s deadline"));
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ParticleClient, ServerErrorRetriedForReads) {
  int calls = 0;
  FakeCloudServer server(clock_->io(), [&](const SeenRequest&) {
    return ++calls == 1 ? test::respond(500, R"({"error":"internal"})")
                        : test::respond(200, R"({"result":21})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->read_variable(kDevice, "temp", reply); });
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.body["result"], 21);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(ParticleClient, ServerErrorNotRetriedForFunctionCalls) {
  FakeCloudServer server(clock_->io(),
                         [](const SeenRequest&) { return test::respond(500, R"({"error":"internal"})"); });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "go", "", reply); });
  EXPECT_EQ(r.error, CloudError::server);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ParticleClient, DroppedConnectionRetriedForReadsOnly) {
  int calls = 0;
  FakeCloudServer server(clock_->io(), [&](const SeenRequest&) {
    return ++calls == 1 ? test::drop() : test::respond(200, R"({"online":false})");
  });
  auto cloud = connect(server);
  EXPECT_TRUE(ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); }).ok());
  EXPECT_EQ(server.requests().size(), 2u);

  FakeCloudServer dropping(clock_->io(), [](const SeenRequest&) { return test::drop(); });
  auto other = connect(dropping);
  const CloudReply r = ask([&](Cloud::Reply reply) { other->call_function(kDevice, "go", "", reply); });
  EXPECT_EQ(r.error, CloudError::connection);
  EXPECT_THAT(r.message, HasSubstr("lost before the answer"));
  EXPECT_EQ(dropping.requests().size(), 1u);  // it had been sent: it may have run
}

TEST_F(ParticleClient, RefusedConnectionIsCloudTrouble) {
  std::uint16_t port = 0;
  {
    FakeCloudServer closed(clock_->io(), [](const SeenRequest&) { return test::drop(); });
    port = closed.port();
  }
  auto cloud = connect("http://127.0.0.1:" + std::to_string(port), 1500ms);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "go", "", reply); });
  EXPECT_EQ(r.error, CloudError::connection);
  EXPECT_THAT(r.message, HasSubstr("cannot connect to 127.0.0.1"));
}

TEST_F(ParticleClient, NoAnswerWithinTheDeadline) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) { return test::silence(); });
  auto cloud = connect(server, 300ms);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "go", "", reply); });
  EXPECT_EQ(r.error, CloudError::connection);
  EXPECT_THAT(r.message, HasSubstr("no answer from the Particle cloud at http://127.0.0.1:"));
  EXPECT_THAT(r.message, HasSubstr("within 300ms"));
}

TEST_F(ParticleClient, ManyRequestsInFlightAtOnce) {
  FakeCloudServer server(clock_->io(), [](const SeenRequest& r) {
    return test::respond(200, nlohmann::json{{"result", r.target}}.dump());
  });
  auto cloud = connect(server);
  std::vector<CloudReply> replies;
  for (int i = 0; i < 8; ++i) {
    cloud->read_variable(kDevice, "v" + std::to_string(i),
                         [&](CloudReply r) { replies.push_back(std::move(r)); });
  }
  run_until([&] { return replies.size() == 8; });
  for (const auto& r : replies) EXPECT_TRUE(r.ok()) << r.message;
}

// ---- OTA --------------------------------------------------------------------------------------

TEST_F(ParticleClient, FlashUploadsTheBinaryAsTheFileField) {
  const auto path =
      std::filesystem::temp_directory_path() / ("cyanrig-ota-" + std::to_string(::getpid()) + ".bin");
  const std::string firmware("\x00\x01\r\n--binary\xff", 13);
  std::ofstream(path, std::ios::binary) << firmware;
  FakeCloudServer server(clock_->io(), [](const SeenRequest&) {
    return test::respond(200, R"({"ok":true,"status":"Update started"})");
  });
  auto cloud = connect(server);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->flash(kDevice, path, reply); });
  std::filesystem::remove(path);
  EXPECT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(server.requests().size(), 1u);
  const SeenRequest& put = server.requests()[0];
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.target, "/v1/devices/e00fce68a1b2c3d4e5f60718");
  EXPECT_THAT(put.head, HasSubstr("Content-Type: multipart/form-data; boundary="));
  EXPECT_THAT(put.body, HasSubstr("name=\"file\"; filename=\"" + path.filename().string() + "\""));
  EXPECT_THAT(put.body, HasSubstr(firmware));
}

TEST_F(ParticleClient, FlashOfAMissingFileIsTheScenariosMistake) {
  auto cloud = connect("http://127.0.0.1:9");
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->flash(kDevice, "/nonexistent/app.bin", reply); });
  EXPECT_EQ(r.error, CloudError::bad_request);
  EXPECT_THAT(r.message, HasSubstr("cannot read firmware file /nonexistent/app.bin"));
}

// ---- TLS --------------------------------------------------------------------------------------

class ParticleTls : public ParticleClient {
 protected:
  void SetUp() override {
    ParticleClient::SetUp();
    ca_path_ = std::filesystem::temp_directory_path() / ("cyanrig-ca-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(ca_path_) << identity_.cert_pem;
  }
  void TearDown() override {
    std::filesystem::remove(ca_path_);
    ParticleClient::TearDown();
  }
  test::SelfSigned identity_ = test::make_self_signed("DNS:localhost");
  FakeCloudServer server_{clock_->io(),
                          [](const SeenRequest&) { return test::respond(200, R"({"online":true})"); },
                          test::server_tls(identity_)};
  std::filesystem::path ca_path_;
};

TEST_F(ParticleTls, UntrustedCertificateIsRefused) {
  auto cloud = connect("https://localhost:" + std::to_string(server_.port()));  // system CA store
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); });
  EXPECT_EQ(r.error, CloudError::connection);
  EXPECT_THAT(r.message, HasSubstr("TLS handshake with localhost"));
  EXPECT_THAT(r.message, HasSubstr("certificate not trusted (self-signed certificate)"));
  EXPECT_TRUE(server_.requests().empty());  // nothing, not even the token, went out
}

TEST_F(ParticleTls, TrustedThroughTheRacksCaFile) {
  auto cloud = connect("https://localhost:" + std::to_string(server_.port()), 3s, 90s, ca_path_);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); });
  EXPECT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(server_.requests().size(), 1u);
  EXPECT_THAT(server_.requests()[0].head, HasSubstr("Host: localhost:"));
}

TEST_F(ParticleTls, CertificateForAnotherHostIsRefused) {
  auto cloud = connect("https://127.0.0.1:" + std::to_string(server_.port()), 3s, 90s, ca_path_);
  const CloudReply r = ask([&](Cloud::Reply reply) { cloud->device_info(kDevice, reply); });
  EXPECT_EQ(r.error, CloudError::connection);
  EXPECT_THAT(r.message, HasSubstr("IP address mismatch"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ParticleTls, UnreadableCaFileIsAClearError) {
  ParticleSettings settings;
  settings.url = *parse_api_url("https://localhost").url;
  settings.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(
      {
        try {
          make_particle_cloud(*clock_, settings, AccessToken::load(std::string(kSecret), {}), {kDevice}, 1);
        } catch (const std::runtime_error& e) {
          EXPECT_THAT(e.what(), HasSubstr("cannot load the CA file /nonexistent/ca.pem"));
          throw;
        }
      },
      std::runtime_error);
}

// ---- the event stream -------------------------------------------------------------------------

class ParticleEvents : public ParticleClient {
 protected:
  FakeCloudServer server_{clock_->io(), [](const SeenRequest& r) {
                            if (r.target == "/v1/devices/events") return test::event_stream();
                            return test::respond(404, "{}");
                          }};
  std::vector<CloudEvent> events_;
  void subscribe(Cloud& cloud) {
    cloud.subscribe([this](const CloudEvent& e) { events_.push_back(e); });
  }
};

TEST_F(ParticleEvents, OneStreamForTheRackWithOnlyItsDevices) {
  auto cloud = connect(server_);
  subscribe(*cloud);
  std::vector<CloudEvent> second;
  cloud->subscribe([&](const CloudEvent& e) { second.push_back(e); });
  run_until([&] { return server_.open_streams() == 1; });
  server_.push(event("spark/status", "online", kOtherDevice));
  server_.push(":keepalive\n\n");
  server_.push(event("spark/flash/status", "success ", kDevice, "2024-05-01T10:00:01.500Z"));
  run_until([&] { return events_.size() == 1 && second.size() == 1; });
  EXPECT_EQ(events_[0].name, "spark/flash/status");
  EXPECT_EQ(events_[0].data, "success ");
  EXPECT_EQ(events_[0].published_at, "2024-05-01T10:00:01.500Z");
  EXPECT_EQ(events_[0].device, kDevice);
  ASSERT_EQ(server_.requests().size(), 1u);  // never one stream per subscriber
  EXPECT_THAT(server_.requests()[0].head, HasSubstr("Accept: text/event-stream"));
}

TEST_F(ParticleEvents, DroppedStreamIsReopened) {
  auto cloud = connect(server_);
  subscribe(*cloud);
  run_until([&] { return server_.open_streams() == 1; });
  server_.close_streams();
  run_until([&] { return server_.open_streams() == 1 && server_.requests().size() == 2; });
  server_.push(event("spark/device/last_reset", "update", kDevice));
  run_until([&] { return events_.size() == 1; });
  EXPECT_EQ(events_[0].data, "update");
  EXPECT_THAT(log(), HasSubstr("event stream lost"));
}

TEST_F(ParticleEvents, SilentStreamIsReopenedAfterTheIdleTimeout) {
  auto cloud = connect(server_, 3s, 300ms);
  subscribe(*cloud);
  run_until([&] { return server_.requests().size() == 2; });
  EXPECT_THAT(log(), HasSubstr("for 300ms"));
}

TEST_F(ParticleEvents, KeepalivesKeepASilentRackConnected) {
  auto cloud = connect(server_, 3s, 400ms);
  subscribe(*cloud);
  run_until([&] { return server_.open_streams() == 1; });
  const Instant until = clock_->now() + 1s;
  Timer keepalive;
  std::function<void()> tick = [&] {
    server_.push(":keepalive\n\n");
    keepalive = clock_->after(100ms, tick);
  };
  tick();
  run_until([&] { return clock_->now() >= until; });
  EXPECT_EQ(server_.requests().size(), 1u);
}

// ---- the token stays secret -------------------------------------------------------------------

TEST_F(ParticleClient, TokenAppearsInNoMessage) {
  // A hostile or buggy server echoes the token in every error it gives.
  const std::string echo =
      std::string(R"({"ok":false,"error":"bad token )") + kSecret + R"(","info":")" + kSecret + "\"}";
  int calls = 0;
  FakeCloudServer server(clock_->io(), [&](const SeenRequest& r) {
    if (r.target == "/v1/devices/events") return test::respond(401, echo);
    static const int kStatuses[] = {400, 401, 403, 404, 408, 429, 500, 503};
    const int status = kStatuses[calls++ % 8];
    return test::respond(status, echo, status == 429 ? "Retry-After: 100\r\n" : "");
  });
  auto cloud = connect(server, 1s);
  cloud->subscribe([](const CloudEvent&) {});
  for (int i = 0; i < 8; ++i)
    ask([&](Cloud::Reply reply) { cloud->call_function(kDevice, "f", kSecret, reply); });
  ask([&](Cloud::Reply reply) { cloud->flash(kDevice, "/nonexistent.bin", reply); });
  FakeCloudServer silent(clock_->io(), [](const SeenRequest&) { return test::silence(); });
  auto slow = connect(silent, 200ms);
  ask([&](Cloud::Reply reply) { slow->read_variable(kDevice, "v", reply); });
  auto refused = connect("http://127.0.0.1:9", 200ms);
  ask([&](Cloud::Reply reply) { refused->device_info(kDevice, reply); });
  run_until([&] { return log().find("event stream") != std::string::npos; });
  for (const auto& m : messages_) EXPECT_THAT(m, Not(HasSubstr(kSecret)));
  EXPECT_THAT(messages_, ::testing::Contains(HasSubstr("[token]")));
}

}  // namespace
}  // namespace cyanrig
