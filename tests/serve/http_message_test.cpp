// Reading what clients send the served API: paths, forms, multipart uploads, URLs.
#include "drivers/sim/serve/http_message.hpp"

#include <gtest/gtest.h>

#include "drivers/sim/serve/http_client.hpp"

namespace cyanrig::sim {
namespace {

TEST(RequestTarget, SplitsAndDecodesPathAndQuery) {
  const RequestTarget t = parse_target("/v1/devices/events/spark%2Fstatus?access_token=a%2Bb&x");
  EXPECT_EQ(t.path, (std::vector<std::string>{"v1", "devices", "events", "spark/status"}));
  EXPECT_EQ(t.query.at("access_token"), "a+b");
  EXPECT_EQ(t.query.at("x"), "");
}

TEST(JsonAnswer, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const HttpResponse r = json_answer(404, {{"error", "no segment 'a\xfb'"}});
  EXPECT_EQ(r.body(), "{\"error\":\"no segment 'a\xef\xbf\xbd'\"}");
}

TEST(Form, DecodesPlusAndPercent) {
  const auto fields = parse_form("arg=stop%2C30+s&other=1");
  EXPECT_EQ(fields.at("arg"), "stop,30 s");
  EXPECT_EQ(fields.at("other"), "1");
  EXPECT_EQ(percent_decode("100%"), "100%");  // a stray percent stays as it is
}

TEST(Multipart, FindsTheNamedFilePartWithItsBytes) {
  const std::string binary("\x00\x01\r\n--x\xff", 8);
  const std::string body =
      "--B0undary\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nhello\r\n"
      "--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"app.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n" +
      binary + "\r\n--B0undary--\r\n";
  const auto file = multipart_file("multipart/form-data; boundary=B0undary", body, "file");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->filename, "app.bin");
  EXPECT_EQ(file->content, binary);
  EXPECT_FALSE(multipart_file("multipart/form-data; boundary=B0undary", body, "missing"));
  EXPECT_FALSE(multipart_file("application/x-www-form-urlencoded", body, "file"));
}

TEST(HttpUrlText, AcceptsLoopbackUrlsOnly) {
  const auto url = parse_http_url("http://127.0.0.1:8080/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
  EXPECT_EQ(parse_http_url("http://[::1]:9")->host, "::1");
  EXPECT_FALSE(parse_http_url("https://api.particle.io"));
  EXPECT_FALSE(parse_http_url("http://host:1/v1"));
}

}  // namespace
}  // namespace cyanrig::sim
