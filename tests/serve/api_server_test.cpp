// The served Particle API as a client sees it: shapes, status codes, event streams, and the faults
// the tests of cyanrig's cloud client inject.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/sim/serve/served_rack.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/serve/api_client.hpp"

namespace cyanrig::sim {
namespace {

using namespace std::chrono_literals;
using testing::EventStreamClient;
using ::testing::HasSubstr;
using testing::json_of;
using testing::kToken;
using ::testing::Not;
using testing::RawHttpClient;
using testing::request;

constexpr const char* kArgon1 = "e00fce68a1b2c3d4e5f60718";

class ServedApi : public ::testing::Test {
 protected:
  ServedApi()
      : served_(builtin_sim_rack(), ServedRackOptions{.seed = 7,
                                                      .serve = {.token = kToken, .stream_keepalive = 200ms},
                                                      .device_timeout = 1s,
                                                      .ptys = false}) {
    served_.start();
  }

  HttpResponse get(const std::string& target, const std::string& token = kToken) {
    return request(port(), http::verb::get, target, token);
  }
  HttpResponse post(const std::string& target, std::string body,
                    const std::string& type = "application/x-www-form-urlencoded") {
    return request(port(), http::verb::post, target, kToken, std::move(body), type);
  }
  std::uint16_t port() { return served_.server().port(); }

  ServedRack served_;
};

TEST_F(ServedApi, RefusesRequestsWithoutTheBearerToken) {
  for (const std::string token : {"", "wrong"}) {
    const HttpResponse r = get("/v1/devices", token);
    EXPECT_EQ(r.result_int(), 401) << token;
    EXPECT_EQ(json_of(r), (nlohmann::json{{"error", "invalid_token"},
                                          {"error_description", "The access token provided is invalid."}}));
  }
  // Browsers' EventSource cannot set headers; Particle takes the token as a query parameter too.
  EXPECT_EQ(get(std::string("/v1/devices?access_token=") + kToken, "").result_int(), 200);
}

TEST_F(ServedApi, ListsTheRackDevicesWithParticlesFields) {
  const HttpResponse r = get("/v1/devices");
  ASSERT_EQ(r.result_int(), 200);
  EXPECT_THAT(std::string(r[http::field::content_type]), HasSubstr("application/json"));
  const auto devices = json_of(r);
  ASSERT_EQ(devices.size(), 8U);
  EXPECT_EQ(devices[2]["name"], "argon-1");
  EXPECT_EQ(devices[2]["id"], kArgon1);
  EXPECT_EQ(devices[2]["platform_id"], 12);
  EXPECT_EQ(devices[2]["online"], false);
  for (const char* field : {"connected", "last_heard", "functions", "variables", "system_firmware_version"}) {
    EXPECT_TRUE(devices[2].contains(field)) << field;
  }
}

TEST_F(ServedApi, FindsADeviceByNameOrId) {
  const auto by_name = json_of(get("/v1/devices/argon-1"));
  const auto by_id = json_of(get(std::string("/v1/devices/") + kArgon1));
  EXPECT_EQ(by_name["id"], kArgon1);
  EXPECT_EQ(by_id["name"], "argon-1");
}

TEST_F(ServedApi, UnknownDeviceIs404WithParticlesBody) {
  for (const auto& [method, target] :
       {std::pair{http::verb::get, "/v1/devices/nope"}, std::pair{http::verb::post, "/v1/devices/nope/ping"},
        std::pair{http::verb::get, "/v1/devices/nope/version"}}) {
    const HttpResponse r = request(port(), method, target);
    EXPECT_EQ(r.result_int(), 404) << target;
    EXPECT_EQ(json_of(r), (nlohmann::json{{"ok", false}, {"error", "Device not found."}})) << target;
  }
}

TEST_F(ServedApi, ADeviceTheCloudKnowsOfflineTimesOutWith408) {
  const HttpResponse r = post("/v1/devices/argon-1/ping", "arg=");
  EXPECT_EQ(r.result_int(), 408);
  EXPECT_EQ(json_of(r), (nlohmann::json{{"ok", false}, {"error", "Timed out."}}));
  EXPECT_EQ(get("/v1/devices/argon-1/uptime").result_int(), 408);
}

TEST_F(ServedApi, FlashStoresTheMultipartUploadForTheCloud) {
  const std::string boundary = "xYzZY";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"app-2.0.0.bin\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n" +
                           std::string(1024, '\x5a') + "\r\n--" + boundary + "--\r\n";
  const HttpResponse put = request(port(), http::verb::put, "/v1/devices/argon-1", kToken, body,
                                   "multipart/form-data; boundary=" + boundary);
  // The cloud read the stored file (an unreadable one is a 400) and found the device offline.
  EXPECT_EQ(put.result_int(), 408) << put.body();
  const HttpResponse empty = request(port(), http::verb::put, "/v1/devices/argon-1", kToken, "name=x");
  EXPECT_EQ(empty.result_int(), 400);
}

TEST_F(ServedApi, AnUploadThatWaitsFor100ContinueGetsIt) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\nxyz\r\n--b--\r\n";
  RawHttpClient client(port());
  client.send(
      "PUT /v1/devices/argon-1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
      "\r\nContent-Type: multipart/form-data; boundary=b\r\nExpect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  ASSERT_TRUE(client.wait_for("HTTP/1.1 100 Continue\r\n\r\n", 5s)) << client.received();
  client.send(body);
  EXPECT_TRUE(client.wait_for("HTTP/1.1 408", 5s)) << client.received();  // stored; the device is off
}

TEST_F(ServedApi, InjectedRateLimitAnswersCountRequestsWithRetryAfter) {
  served_.server().inject({.status = 429, .count = 2, .retry_after = 3s});
  for (int i = 0; i < 2; ++i) {
    const HttpResponse r = get("/v1/devices/argon-1");
    EXPECT_EQ(r.result_int(), 429);
    EXPECT_EQ(r[http::field::retry_after], "3");
  }
  EXPECT_EQ(get("/v1/devices/argon-1").result_int(), 200);
  EXPECT_EQ(served_.server().faults().status, 0);
}

TEST_F(ServedApi, InjectedServerErrorsAndTokenFailures) {
  served_.server().inject({.status = 500, .count = 1});
  const HttpResponse error = get("/v1/devices");
  EXPECT_EQ(error.result_int(), 500);
  EXPECT_EQ(json_of(error)["ok"], false);
  served_.server().inject({.status = 401, .count = 1});
  EXPECT_EQ(json_of(get("/v1/devices"))["error"], "invalid_token");
  EXPECT_EQ(get("/v1/devices").result_int(), 200);
}

TEST_F(ServedApi, ControlApiInjectsFaultsAndIsNeverFaulted) {
  const auto put = request(port(), http::verb::put, "/sim/faults", "", R"({"status": 503, "count": 2})",
                           "application/json");
  ASSERT_EQ(put.result_int(), 200) << put.body();
  EXPECT_EQ(get("/sim/status", "").result_int(), 200);  // no token needed, and not counted
  EXPECT_EQ(get("/v1/devices").result_int(), 503);
  EXPECT_EQ(request(port(), http::verb::delete_, "/sim/faults", "").result_int(), 200);
  EXPECT_EQ(get("/v1/devices").result_int(), 200);
  const auto bad =
      request(port(), http::verb::put, "/sim/faults", "", R"({"status": 200})", "application/json");
  EXPECT_EQ(bad.result_int(), 400);
}

TEST_F(ServedApi, DroppedConnectionClosesWithoutAnAnswerOnce) {
  served_.server().inject({.drop_connections = true});
  EXPECT_THROW(get("/v1/devices"), boost::system::system_error);
  EXPECT_EQ(get("/v1/devices").result_int(), 200);
}

TEST_F(ServedApi, EventStreamStartsWithOkAndSendsKeepalives) {
  EventStreamClient stream(port(), "/v1/devices/events");
  ASSERT_TRUE(stream.wait_for(":ok", 2s)) << stream.received();
  EXPECT_THAT(stream.received(), HasSubstr("Content-Type: text/event-stream"));
  const std::string more = stream.read_for(700ms);
  EXPECT_THAT(more, HasSubstr(":\n\n"));  // keepalives every 200 ms here
  EXPECT_FALSE(stream.closed());
}

TEST_F(ServedApi, SilentStreamSendsNothingUntilCleared) {
  EventStreamClient stream(port(), "/v1/devices/events");
  ASSERT_TRUE(stream.wait_for(":ok", 2s));
  served_.server().inject({.silent_stream = true});
  stream.read_for(300ms);  // whatever was in flight
  EXPECT_EQ(stream.read_for(800ms), "");
  served_.server().inject({});
  EXPECT_THAT(stream.read_for(800ms), HasSubstr(":\n\n"));
}

TEST_F(ServedApi, InjectedDropClosesOpenStreams) {
  EventStreamClient stream(port(), "/v1/devices/events");
  ASSERT_TRUE(stream.wait_for(":ok", 2s));
  served_.server().inject({.drop_connections = true});
  stream.read_for(2s);
  EXPECT_TRUE(stream.closed());
}

TEST_F(ServedApi, ControlApiSwitchesPowerAndOutages) {
  EXPECT_EQ(request(port(), http::verb::post, "/sim/devices/nope/power/on", "").result_int(), 404);
  EXPECT_EQ(request(port(), http::verb::post, "/sim/devices/argon-1/power/sideways", "").result_int(), 400);
  const auto start = request(port(), http::verb::post, "/sim/segments/lab-wifi/outage", "",
                             R"({"mode": "cloud", "action": "reject"})", "application/json");
  EXPECT_EQ(start.result_int(), 200) << start.body();
  EXPECT_EQ(request(port(), http::verb::post, "/sim/segments/lab-wifi/outage", "", R"({"mode": "solar"})",
                    "application/json")
                .result_int(),
            400);
  const auto status = json_of(get("/sim/status", ""));
  const auto segment = std::find_if(status["segments"].begin(), status["segments"].end(),
                                    [](const auto& s) { return s["name"] == "lab-wifi"; });
  ASSERT_NE(segment, status["segments"].end());
  EXPECT_EQ((*segment)["outage"], (nlohmann::json{{"mode", "cloud"}, {"action", "reject"}}));
  EXPECT_EQ(request(port(), http::verb::delete_, "/sim/segments/lab-wifi/outage", "").result_int(), 200);
  EXPECT_EQ(served_.call([&] { return served_.world().find_segment("lab-wifi")->outage().has_value(); }),
            false);
}

// Found by fuzz_http_request (tests/fuzz/crashes/http_request/segment_name_not_utf8.http): the
// answer quoting a segment name that is not UTF-8 threw from the JSON writer and took the server
// down with it.
TEST_F(ServedApi, ANameThatIsNotUtf8IsQuotedWithReplacementCharactersAndTheServerStaysUp) {
  const std::string body = R"({"mode": "cloud", "action": "drop"})";
  RawHttpClient client(port());
  client.send(
      "POST /sim/segments/lab-\xfb\xfbwifi/outage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(client.wait_for("HTTP/1.1 404", 5s)) << client.received();
  EXPECT_TRUE(client.wait_for("lab-\xef\xbf\xbd\xef\xbf\xbdwifi", 5s)) << client.received();
  EXPECT_EQ(get("/v1/devices").result_int(), 200);
}

// The one slow test (~10-15 s of real time): devices boot, connect and answer.
TEST_F(ServedApi, ConnectedDevicesAnswerCallsAndReadsAndStreamTheirEvents) {
  EventStreamClient stream(port(), "/v1/devices/events/spark%2Fstatus");
  EventStreamClient argon2_stream(port(), "/v1/devices/argon-2/events");
  ASSERT_TRUE(stream.wait_for(":ok", 2s));
  ASSERT_TRUE(argon2_stream.wait_for(":ok", 2s));
  for (const char* device : {"argon-1", "argon-2"}) {
    ASSERT_EQ(request(port(), http::verb::post, std::string("/sim/devices/") + device + "/power/on", "")
                  .result_int(),
              200);
  }
  ASSERT_TRUE(stream.wait_for("e00fce68a1b2c3d4e5f60719", 40s)) << stream.received();
  ASSERT_TRUE(stream.wait_for(kArgon1, 40s)) << stream.received();
  EXPECT_THAT(stream.received(), HasSubstr("event: spark/status\ndata: {\"data\":\"online\",\"ttl\":60,"
                                           "\"published_at\":\"2030-"));
  EXPECT_THAT(stream.received(), HasSubstr("\"coreid\":\"" + std::string(kArgon1) + "\"}\n\n"));
  EXPECT_THAT(stream.received(), Not(HasSubstr("last_reset")));  // filtered by the prefix
  EXPECT_TRUE(argon2_stream.wait_for("event: spark/device/last_reset", 5s)) << argon2_stream.received();
  EXPECT_THAT(argon2_stream.received(), Not(HasSubstr(kArgon1)));  // filtered by the device

  const auto info = json_of(get("/v1/devices/argon-1"));
  EXPECT_EQ(info["online"], true);
  EXPECT_THAT(info["functions"].dump(), HasSubstr("\"ping\""));
  EXPECT_EQ(info["variables"]["version"], "string");

  const HttpResponse call = post("/v1/devices/argon-1/ping", "arg=hello");
  ASSERT_EQ(call.result_int(), 200) << call.body();
  EXPECT_EQ(json_of(call), (nlohmann::json{{"id", kArgon1}, {"connected", true}, {"return_value", 1}}));
  EXPECT_EQ(json_of(post(std::string("/v1/devices/") + kArgon1 + "/ping", R"({"arg": "x"})",
                         "application/json"))["return_value"],
            1);

  const auto variable = json_of(get("/v1/devices/argon-1/version"));
  EXPECT_EQ(variable["name"], "version");
  EXPECT_EQ(variable["result"], "1.0.0");
  EXPECT_EQ(variable["coreInfo"]["deviceID"], kArgon1);

  const HttpResponse no_function = post("/v1/devices/argon-1/nope", "arg=");
  EXPECT_EQ(no_function.result_int(), 404);
  EXPECT_EQ(json_of(no_function)["error"], "Function nope not found");
  const HttpResponse no_variable = get("/v1/devices/argon-1/nope");
  EXPECT_EQ(no_variable.result_int(), 404);
  EXPECT_EQ(json_of(no_variable)["error"], "Unknown Variable: nope");

  // Power lost: the cloud still lists argon-2 online, so a call waits for the device timeout (1 s
  // here, ~30 s by default) and fails with 408.
  ASSERT_EQ(request(port(), http::verb::post, "/sim/devices/argon-2/power/off", "").result_int(), 200);
  EXPECT_EQ(json_of(get("/v1/devices/argon-2"))["online"], true);
  const auto asked = std::chrono::steady_clock::now();
  const HttpResponse unreachable = post("/v1/devices/argon-2/ping", "arg=");
  EXPECT_EQ(unreachable.result_int(), 408);
  EXPECT_EQ(json_of(unreachable)["error"], "Timed out.");
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 900ms);
}

}  // namespace
}  // namespace cyanrig::sim
