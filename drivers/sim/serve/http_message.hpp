// The HTTP pieces the served cloud and its clients share: message types, JSON answers, and reading
// what clients send (paths, query strings, forms, multipart uploads).
#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig::sim {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
// Answers one request; may be called later, from the loop (the simulated cloud answers with delays).
using Respond = std::function<void(HttpResponse)>;

// Beast 1.74 hands out boost::string_view; the rest of cyanrig speaks std::string_view.
inline std::string_view text(boost::beast::string_view s) {
  return {s.data(), s.size()};
}

HttpResponse json_answer(http::status status, const nlohmann::json& body);
HttpResponse json_answer(int status, const nlohmann::json& body);

// "/v1/devices/abc/events?x=1" -> path segments {"v1", "devices", "abc", "events"}, each
// percent-decoded, and the query.
struct RequestTarget {
  std::vector<std::string> path;
  std::map<std::string, std::string, std::less<>> query;
};
RequestTarget parse_target(std::string_view target);

// "%2F" -> "/", and with `plus_is_space` (forms) "+" -> " ".
std::string percent_decode(std::string_view text, bool plus_is_space = false);
// application/x-www-form-urlencoded: "arg=on&x=1".
std::map<std::string, std::string, std::less<>> parse_form(std::string_view body);

// One file of a multipart/form-data body.
struct UploadedFile {
  std::string filename;  // as the client named it (may be empty)
  std::string content;
};
// The part called `field` of a multipart/form-data body, or nothing when the body is not multipart
// or has no such part.
std::optional<UploadedFile> multipart_file(std::string_view content_type, std::string_view body,
                                           std::string_view field);

}  // namespace cyanrig::sim
