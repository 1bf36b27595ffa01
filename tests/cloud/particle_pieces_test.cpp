// The Particle client's pure pieces: URLs, error mapping, Retry-After, the event-stream parser,
// the OTA form, the retry rules, the rack parameters and the access token.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "drivers/cloud/particle/access_token.hpp"
#include "drivers/cloud/particle/api_errors.hpp"
#include "drivers/cloud/particle/api_url.hpp"
#include "drivers/cloud/particle/event_stream.hpp"
#include "drivers/cloud/particle/multipart.hpp"
#include "drivers/cloud/particle/particle_settings.hpp"
#include "drivers/cloud/particle/retry_policy.hpp"
#include "drivers/cloud/particle/sse_parser.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

// ---- URL --------------------------------------------------------------------------------------

TEST(ApiUrl, DefaultsToHttpsOn443) {
  const auto url = parse_api_url("https://api.particle.io").url;
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "api.particle.io");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target("/v1/devices"), "/v1/devices");
  EXPECT_EQ(url->host_header(), "api.particle.io");
}

TEST(ApiUrl, LoopbackServerWithPortAndBasePath) {
  const auto url = parse_api_url("http://127.0.0.1:8080/particle/").url;
  ASSERT_TRUE(url);
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->target("/v1/devices/events"), "/particle/v1/devices/events");
  EXPECT_EQ(url->host_header(), "127.0.0.1:8080");
  EXPECT_EQ(url->text(), "http://127.0.0.1:8080/particle");
}

TEST(ApiUrl, Ipv6Host) {
  const auto url = parse_api_url("http://[::1]:9000").url;
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->host_header(), "[::1]:9000");
}

TEST(ApiUrl, RefusesWhatWouldChangeTheRequest) {
  EXPECT_THAT(parse_api_url("ftp://api.particle.io").error, HasSubstr("scheme 'ftp' is not supported"));
  EXPECT_THAT(parse_api_url("api.particle.io").error, HasSubstr("not a URL"));
  EXPECT_THAT(parse_api_url("https://:443").error, HasSubstr("names no host"));
  EXPECT_THAT(parse_api_url("https://host:99999").error, HasSubstr("port must be a number"));
  EXPECT_THAT(parse_api_url("https://host:").error, HasSubstr("port must be a number"));
  EXPECT_THAT(parse_api_url("https://user:pw@host").error, HasSubstr("credentials"));
  EXPECT_THAT(parse_api_url("https://host/?a=b").error, HasSubstr("query"));
}

TEST(ApiUrl, PathSegmentsCannotEscape) {
  EXPECT_EQ(encode_path_segment("digitalWrite"), "digitalWrite");
  EXPECT_EQ(encode_path_segment("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(encode_path_segment(".."), "..");  // dots are unreserved; the id and name sit after fixed parts
}

// ---- error mapping ----------------------------------------------------------------------------

TEST(ApiErrors, SuccessKeepsTheBody) {
  const CloudReply r = map_api_reply(200, R"({"id":"x","return_value":42})");
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.body["return_value"], 42);
}

TEST(ApiErrors, EachStatusMeansSomethingForTheVerdict) {
  EXPECT_EQ(map_api_reply(400, R"({"error":"bad"})").error, CloudError::bad_request);
  EXPECT_EQ(map_api_reply(401, R"({"error":"invalid_token"})").error, CloudError::token);
  EXPECT_EQ(map_api_reply(403, R"({"error":"Permission Denied"})").error, CloudError::token);
  EXPECT_EQ(map_api_reply(404, R"({"ok":false,"error":"Unknown Variable: x"})").error, CloudError::not_found);
  EXPECT_EQ(map_api_reply(408, R"({"ok":false,"error":"timed out"})").error, CloudError::timed_out);
  EXPECT_EQ(map_api_reply(429, "").error, CloudError::rate_limited);
  EXPECT_EQ(map_api_reply(500, "").error, CloudError::server);
  EXPECT_EQ(map_api_reply(503, "<html>down</html>").error, CloudError::server);
  EXPECT_EQ(map_api_reply(302, "").error, CloudError::server);
  EXPECT_EQ(map_api_reply(418, "{}").error, CloudError::bad_request);
}

TEST(ApiErrors, TimedOutInEverySpelling) {
  EXPECT_TRUE(says_timed_out("Timed out."));
  EXPECT_TRUE(says_timed_out("timed out"));
  EXPECT_TRUE(says_timed_out(" TIMED OUT! "));
  EXPECT_FALSE(says_timed_out("timed out waiting for nothing"));
  // Old servers sent the text with other statuses; it still means the device did not answer.
  EXPECT_EQ(map_api_reply(400, R"({"ok":false,"error":"Timed out."})").error, CloudError::timed_out);
  EXPECT_EQ(map_api_reply(200, R"({"ok":false,"error":"Timed out."})").error, CloudError::timed_out);
}

TEST(ApiErrors, MessageCarriesTheServersWords) {
  const CloudReply r = map_api_reply(
      401, R"({"error":"invalid_token","error_description":"The access token provided is invalid."})");
  EXPECT_EQ(r.message, "the access token was refused: invalid_token (The access token provided is invalid.)");
  EXPECT_EQ(map_api_reply(404, R"({"ok":false,"error":"Unknown Variable: x"})").message,
            "unknown device, function or variable: Unknown Variable: x");
  EXPECT_EQ(map_api_reply(400, R"({"ok":false,"info":"arg too long"})").message,
            "the cloud rejected the request: arg too long");
  EXPECT_EQ(map_api_reply(500, "").message, "Particle cloud error");
  EXPECT_THAT(map_api_reply(502, "<html>Bad gateway</html>").message, HasSubstr("<html>Bad gateway</html>"));
}

TEST(ApiErrors, SuccessThatIsNotJsonIsCloudTrouble) {
  const CloudReply r = map_api_reply(200, "<html>captive portal</html>");
  EXPECT_EQ(r.error, CloudError::server);
  EXPECT_THAT(r.message, HasSubstr("not JSON"));
}

TEST(RetryAfter, SecondsOrHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("120", now), Duration(120s));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Duration(0s));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Duration(30s));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Duration(0s));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("Wed, 21 Foo 2015 07:28:30 GMT", now));
}

// ---- event stream parser ----------------------------------------------------------------------

constexpr const char* kFlashSuccess =
    "event: spark/flash/status\n"
    "data: {\"data\":\"success \",\"ttl\":60,\"published_at\":\"2024-05-01T10:00:00.000Z\","
    "\"coreid\":\"e00fce68a1b2c3d4e5f60718\"}\n\n";

TEST(SseParser, WholeEventsHoweverTheBytesAreSplit) {
  const std::string text = std::string(":ok\n\n") + kFlashSuccess;
  for (std::size_t split = 0; split <= text.size(); ++split) {
    SseParser parser;
    auto events = parser.feed(text.substr(0, split));
    const auto rest = parser.feed(text.substr(split));
    events.insert(events.end(), rest.begin(), rest.end());
    ASSERT_EQ(events.size(), 1u) << "split at " << split;
    EXPECT_EQ(events[0].name, "spark/flash/status");
  }
}

TEST(SseParser, CommentsAndKeepalivesAreNotEvents) {
  SseParser parser;
  EXPECT_TRUE(parser.feed(":ok\n\n:keepalive\n\n\n").empty());
}

TEST(SseParser, CrlfAndLoneCrEndLines) {
  SseParser parser;
  auto events = parser.feed("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].name, "a");
  EXPECT_EQ(events[0].data, "1");
  EXPECT_EQ(events[1].name, "b");
  // A CR at the end of one read and the LF at the start of the next are one line end.
  SseParser split;
  EXPECT_TRUE(split.feed("event: c\r").empty());
  EXPECT_TRUE(split.feed("\ndata: 3\r").empty());
  events = split.feed("\n\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "3");
}

TEST(SseParser, MultiLineDataJoinsWithNewline) {
  SseParser parser;
  const auto events = parser.feed("data: one\ndata:two\ndata:  three\n\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "message");
  EXPECT_EQ(events[0].data, "one\ntwo\n three");
}

TEST(SseParser, ResetDropsAHalfEvent) {
  SseParser parser;
  parser.feed("event: spark/status\ndata: {\"data\":\"online\"");
  parser.reset();
  EXPECT_TRUE(parser.feed("\n\n").empty());
}

TEST(ParticleEvent, KeepsDataAsSentWithItsDeviceAndTime) {
  SseParser parser;
  const auto events = parser.feed(kFlashSuccess);
  ASSERT_EQ(events.size(), 1u);
  const auto e = to_cloud_event(events[0]);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "spark/flash/status");
  EXPECT_EQ(e->data, "success ");  // the engine trims when it compares
  EXPECT_EQ(e->published_at, "2024-05-01T10:00:00.000Z");
  ASSERT_TRUE(e->device);
  EXPECT_EQ(e->device->str(), "e00fce68a1b2c3d4e5f60718");
}

TEST(ParticleEvent, TtlAsStringOrNumber) {
  for (const char* ttl : {"\"60\"", "60"}) {
    const auto e = to_cloud_event(
        {"spark/status", std::string("{\"data\":\"online\",\"ttl\":") + ttl +
                             ",\"published_at\":\"t\",\"coreid\":\"E00FCE68A1B2C3D4E5F60718\"}"});
    ASSERT_TRUE(e) << ttl;
    EXPECT_EQ(e->data, "online");
    EXPECT_EQ(e->device->str(), "e00fce68a1b2c3d4e5f60718");
  }
}

TEST(ParticleEvent, NotADeviceEvent) {
  std::string why;
  EXPECT_FALSE(to_cloud_event({"x", "not json"}, &why));
  EXPECT_THAT(why, HasSubstr("not a JSON object"));
  EXPECT_FALSE(to_cloud_event({"x", R"({"data":"1"})"}, &why));
  EXPECT_THAT(why, HasSubstr("coreid"));
  const auto internal = to_cloud_event({"x", R"({"data":"1","coreid":"particle-internal"})"});
  ASSERT_TRUE(internal);
  EXPECT_FALSE(internal->device);
}

// ---- OTA form ---------------------------------------------------------------------------------

TEST(Multipart, BinarySafeFileField) {
  const std::string firmware("\x00\r\n--\xff\x01tinker", 12);
  const MultipartBody form = multipart_file("file", "tinker.bin", firmware, 7);
  const std::string boundary = form.content_type.substr(form.content_type.find("boundary=") + 9);
  EXPECT_THAT(form.content_type, HasSubstr("multipart/form-data; boundary="));
  EXPECT_THAT(form.body,
              HasSubstr("Content-Disposition: form-data; name=\"file\"; filename=\"tinker.bin\"\r\n"));
  const std::string head_end = "Content-Type: application/octet-stream\r\n\r\n";
  const auto start = form.body.find(head_end) + head_end.size();
  EXPECT_EQ(form.body.substr(start, firmware.size()), firmware);
  EXPECT_EQ(form.body.substr(start + firmware.size()), "\r\n--" + boundary + "--\r\n");
  EXPECT_EQ(form.body.rfind("--" + boundary, 0), 0u);
}

TEST(Multipart, BoundaryNeverInTheContent) {
  // Content made to contain the boundary the first draw would give.
  const std::string first = multipart_file("file", "a", "", 1).content_type;
  const std::string taken = first.substr(first.find("boundary=") + 9);
  const MultipartBody form = multipart_file("file", "a", "xx" + taken + "yy", 1);
  EXPECT_THAT(form.content_type, Not(HasSubstr(taken)));
}

TEST(Multipart, FilenameCannotBreakTheHeader) {
  const MultipartBody form = multipart_file("file", "a\"b\r\n.bin", "x", 1);
  EXPECT_THAT(form.body, HasSubstr("filename=\"a_b__.bin\""));
}

// ---- retries ----------------------------------------------------------------------------------

AttemptResult result(CloudError error, bool sent = true, std::optional<Duration> retry_after = std::nullopt) {
  AttemptResult r;
  r.reply.error = error;
  r.request_sent = sent;
  r.retry_after = retry_after;
  return r;
}

TEST(RetryPolicy, ReadsRepeatAfterConnectionFailuresAndServerErrors) {
  EXPECT_EQ(retry_wait(RequestKind::read, result(CloudError::server), 1, 40s), Duration(500ms));
  EXPECT_EQ(retry_wait(RequestKind::read, result(CloudError::connection), 2, 40s), Duration(1s));
  EXPECT_FALSE(retry_wait(RequestKind::read, result(CloudError::server), kMaxAttempts, 40s));
}

TEST(RetryPolicy, ActionsRepeatOnlyWhenTheCloudCannotHaveActed) {
  EXPECT_FALSE(retry_wait(RequestKind::action, result(CloudError::server), 1, 40s));
  EXPECT_FALSE(retry_wait(RequestKind::action, result(CloudError::timed_out), 1, 40s));
  EXPECT_FALSE(retry_wait(RequestKind::action, result(CloudError::connection, /*sent=*/true), 1, 40s));
  EXPECT_TRUE(retry_wait(RequestKind::action, result(CloudError::connection, /*sent=*/false), 1, 40s));
  EXPECT_TRUE(retry_wait(RequestKind::action, result(CloudError::rate_limited), 1, 40s));
}

TEST(RetryPolicy, AnswersThatWouldNotChangeAreFinal) {
  for (const CloudError e : {CloudError::none, CloudError::token, CloudError::not_found,
                             CloudError::timed_out, CloudError::bad_request}) {
    EXPECT_FALSE(retry_wait(RequestKind::read, result(e), 1, 40s)) << to_string(e);
  }
}

TEST(RetryPolicy, RateLimitWaitsRetryAfterWithinTheDeadline) {
  EXPECT_EQ(retry_wait(RequestKind::action, result(CloudError::rate_limited, true, 3s), 1, 40s),
            Duration(3s));
  EXPECT_FALSE(retry_wait(RequestKind::action, result(CloudError::rate_limited, true, 60s), 1, 40s));
  EXPECT_FALSE(retry_wait(RequestKind::read, result(CloudError::server), 1, 400ms));
}

TEST(ReconnectDelay, DoublesToTheCapWithJitterInTheUpperHalf) {
  const EventStreamSettings settings;
  std::mt19937_64 random(1);
  for (int failures = 1; failures <= 12; ++failures) {
    const Duration ceiling = std::min<Duration>(Duration(1s) * (1 << std::min(failures - 1, 10)), 60s);
    for (int i = 0; i < 20; ++i) {
      const Duration d = reconnect_delay(settings, failures, random);
      EXPECT_GE(d, ceiling / 2) << failures;
      EXPECT_LE(d, ceiling) << failures;
    }
  }
}

// ---- rack parameters --------------------------------------------------------------------------

BackendSpec spec_of(const std::string& yaml, const std::string& file = "/racks/lab/rack.yaml") {
  BackendSpec spec;
  spec.params = YAML::Load(yaml);
  spec.backend = "particle";
  spec.loc = {file, 1, 1};
  return spec;
}

TEST(ParticleSettings, Defaults) {
  Diagnostics diags;
  const auto s = read_particle_settings(spec_of("{backend: particle}"), diags);
  ASSERT_TRUE(s) << diags.items().front().to_string();
  EXPECT_EQ(s->url.text(), "https://api.particle.io");
  EXPECT_EQ(s->request_timeout, Duration(40s));
  EXPECT_EQ(s->stream_idle_timeout, Duration(90s));
  EXPECT_FALSE(s->token_file);
  EXPECT_FALSE(s->ca_file);
}

TEST(ParticleSettings, EveryParameter) {
  Diagnostics diags;
  const auto s = read_particle_settings(
      spec_of("{backend: particle, url: 'http://127.0.0.1:8080', token_file: secrets/token, "
              "request_timeout: 5s, stream_idle_timeout: 20s, ca_file: /etc/lab-ca.pem}"),
      diags);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->url.tls);
  EXPECT_EQ(*s->token_file, std::filesystem::path("/racks/lab/secrets/token"));
  EXPECT_EQ(*s->ca_file, std::filesystem::path("/etc/lab-ca.pem"));
  EXPECT_EQ(s->request_timeout, Duration(5s));
  EXPECT_EQ(s->stream_idle_timeout, Duration(20s));
}

TEST(ParticleSettings, MistakesAtTheirPosition) {
  Diagnostics diags;
  const BackendSpec spec =
      spec_of("backend: particle\nurl: ftp://x\nrequest_timout: 5s\nstream_idle_timeout: 1ms\n", "rack.yaml");
  EXPECT_FALSE(read_particle_settings(spec, diags));
  std::vector<std::string> messages;
  for (const auto& d : diags.items()) messages.push_back(d.to_string());
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("rack.yaml:2:6: URL scheme 'ftp' is not supported")));
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("request_timeout")));  // did you mean
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("'stream_idle_timeout' must be at least")));
}

TEST(ParticleSettings, HomeRelativeTokenFile) {
  const char* home = std::getenv("HOME");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(resolve_rack_path("~/.particle/cyanrig-token", "/racks/r.yaml"),
            std::filesystem::path(home) / ".particle/cyanrig-token");
  EXPECT_EQ(resolve_rack_path("token", "r.yaml"), std::filesystem::path("token"));
}

// ---- access token -----------------------------------------------------------------------------

constexpr const char* kSecret = "f00dcafe0123456789abcdef0123456789abcdef";

class TokenFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cyanrig-token-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& content, mode_t mode) {
    auto path = dir_ / "token";
    std::ofstream(path) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  // Runs `load` expecting a refusal; returns its message, which must never hold the token.
  static std::string refusal(const std::function<void()>& load) {
    try {
      load();
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), Not(HasSubstr(kSecret)));
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(TokenFile, PrivateFileIsRead) {
  const auto path = write(std::string(kSecret) + "\n", 0600);
  const AccessToken token = AccessToken::load(std::nullopt, path);
  EXPECT_EQ(token.authorization(), std::string("Bearer ") + kSecret);
  EXPECT_EQ(token.source(), path.string());
}

TEST_F(TokenFile, FileOthersCanReadIsRefusedWithTheFix) {
  const auto path = write(kSecret, 0644);
  EXPECT_THAT(refusal([&] { AccessToken::load(std::nullopt, path); }),
              HasSubstr("can be read by other users; run `chmod 600 " + path.string() + "`"));
  const auto group = write(kSecret, 0640);
  EXPECT_THAT(refusal([&] { AccessToken::load(std::nullopt, group); }), HasSubstr("chmod 600"));
}

TEST_F(TokenFile, EmptyOrMissingFile) {
  const auto path = write("\n  \n", 0600);
  EXPECT_THAT(refusal([&] { AccessToken::load(std::nullopt, path); }), HasSubstr("is empty"));
  EXPECT_THAT(refusal([&] { AccessToken::load(std::nullopt, dir_ / "absent"); }),
              HasSubstr("cannot read the Particle token file"));
}

TEST_F(TokenFile, EnvironmentWins) {
  const auto path = write("from-the-file", 0644);  // not even looked at
  const AccessToken token = AccessToken::load(std::string(kSecret), path);
  EXPECT_EQ(token.source(), "PARTICLE_ACCESS_TOKEN");
  EXPECT_EQ(token.authorization(), std::string("Bearer ") + kSecret);
  EXPECT_THAT(refusal([] { AccessToken::load(std::string(""), std::nullopt); }), HasSubstr("set but empty"));
}

TEST_F(TokenFile, NeitherNamesBothWays) {
  const std::string message = refusal([] { AccessToken::load(std::nullopt, std::nullopt); });
  EXPECT_THAT(message, HasSubstr("PARTICLE_ACCESS_TOKEN"));
  EXPECT_THAT(message, HasSubstr("token_file"));
}

TEST_F(TokenFile, ATokenOutsideTheBearerAlphabetIsRefusedNamingTheCharacterNotTheToken) {
  const std::string injected = std::string(kSecret) + "\r\nX-Injected: yes";
  const std::string message = refusal([&] { AccessToken::load(injected, std::nullopt); });
  EXPECT_THAT(message, HasSubstr(fmt::format(
                           "the Particle access token from PARTICLE_ACCESS_TOKEN contains a carriage "
                           "return (CR) at character {}",
                           std::string(kSecret).size() + 1)));
  EXPECT_THAT(message, Not(HasSubstr("X-Injected")));
  const auto file = write(std::string("abc\ndef\n"), 0600);
  EXPECT_THAT(refusal([&] { AccessToken::load(std::nullopt, file); }),
              HasSubstr("contains a line feed (LF) at character 4"));
  EXPECT_THAT(refusal([&] { AccessToken::load(std::string("ab cd"), std::nullopt); }), HasSubstr("a space"));
  EXPECT_THAT(refusal([&] { AccessToken::load(std::string("ab\x01"), std::nullopt); }),
              HasSubstr("the byte 0x01"));
  // RFC 6750's b64token, and the spaces and newline a file or a shell adds around it, are fine.
  EXPECT_EQ(AccessToken::load(std::string("aZ09-._~+/=="), std::nullopt).authorization(),
            "Bearer aZ09-._~+/==");
  EXPECT_EQ(AccessToken::load(std::nullopt, write(std::string(kSecret) + "\r\n", 0600)).authorization(),
            std::string("Bearer ") + kSecret);
}

TEST_F(TokenFile, RedactsEveryOccurrence) {
  const AccessToken token = AccessToken::load(std::string(kSecret), std::nullopt);
  EXPECT_EQ(token.redact(std::string("a ") + kSecret + " b " + kSecret), "a [token] b [token]");
}

}  // namespace
}  // namespace cyanrig
