#include "drivers/cloud/particle/api_errors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>

#include "rig/core/text.hpp"

namespace cyanrig {
namespace {

CloudError error_for_status(int status) {
  if (status >= 200 && status < 300) return CloudError::none;
  switch (status) {
    case 401:
    case 403:
      return CloudError::token;
    case 404:
      return CloudError::not_found;
    case 408:
      return CloudError::timed_out;
    case 429:
      return CloudError::rate_limited;
    default:
      return status >= 400 && status < 500 ? CloudError::bad_request : CloudError::server;
  }
}

std::string text_field(const nlohmann::json& body, const char* key) {
  if (!body.is_object() || !body.contains(key)) return "";
  const auto& value = body[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The server's explanation: `error`, then `error_description` and `info` when they add something.
std::string server_words(const nlohmann::json& body) {
  std::string words = text_field(body, "error");
  for (const char* key : {"error_description", "info"}) {
    const std::string more = text_field(body, key);
    if (more.empty() || more == words) continue;
    words = words.empty() ? more : fmt::format("{} ({})", words, more);
  }
  return words;
}

// What the error means to someone reading a failed step.
std::string meaning(CloudError error) {
  switch (error) {
    case CloudError::token:
      return "the access token was refused";
    case CloudError::not_found:
      return "unknown device, function or variable";
    case CloudError::timed_out:
      return "the cloud could not reach the device";
    case CloudError::rate_limited:
      return "rate limited by the cloud";
    case CloudError::bad_request:
      return "the cloud rejected the request";
    default:
      return "Particle cloud error";
  }
}

// A short, printable excerpt of a body that is not JSON (an HTML error page from a proxy).
std::string excerpt(std::string_view body) {
  constexpr std::size_t kMax = 120;
  std::string out;
  for (const char c : body.substr(0, kMax)) out += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
  if (body.size() > kMax) out += "...";
  return out;
}

std::optional<int> month_number(std::string_view name) {
  constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto it = std::find(kMonths.begin(), kMonths.end(), name);
  if (it == kMonths.end()) return std::nullopt;
  return static_cast<int>(it - kMonths.begin());
}

// IMF-fixdate, the form RFC 9110 requires senders to use: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::tm tm{};
  char month[4] = {};
  char weekday[4] = {};
  char zone[4] = {};
  const std::string copy(text);
  if (std::sscanf(copy.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &tm.tm_mday, month, &tm.tm_year,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone) != 8) {
    return std::nullopt;
  }
  const auto m = month_number(month);
  if (!m || std::string_view(zone) != "GMT") return std::nullopt;
  tm.tm_mon = *m;
  tm.tm_year -= 1900;
  const std::time_t seconds = ::timegm(&tm);
  if (seconds == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

}  // namespace

bool says_timed_out(std::string_view error_text) {
  std::string text = lower(trim(error_text));
  while (!text.empty() && (text.back() == '.' || text.back() == '!')) text.pop_back();
  return text == "timed out";
}

CloudReply map_api_reply(int http_status, std::string_view body) {
  CloudReply reply;
  reply.http_status = http_status;
  reply.body = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool json = !reply.body.is_discarded();
  if (!json) reply.body = nullptr;
  reply.error = error_for_status(http_status);
  const std::string words = json ? server_words(reply.body) : "";
  const bool refused = reply.body.is_object() && reply.body.value("ok", true) == false;
  if (says_timed_out(text_field(reply.body, "error")) && (reply.error != CloudError::none || refused)) {
    reply.error = CloudError::timed_out;
  } else if (reply.error == CloudError::none && !json) {
    reply.error = CloudError::server;
    reply.message = fmt::format("the cloud answered HTTP {} with a body that is not JSON: {}", http_status,
                                excerpt(body));
    return reply;
  } else if (reply.error == CloudError::none && refused) {
    reply.error = CloudError::server;  // a success status saying it failed: trust neither
  }
  if (reply.error == CloudError::none) return reply;
  const std::string said = !words.empty() ? words : json || body.empty() ? "" : excerpt(body);
  reply.message = said.empty() ? meaning(reply.error) : fmt::format("{}: {}", meaning(reply.error), said);
  return reply;
}

std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  const std::string text = lower(trim(value));
  if (text.empty()) return std::nullopt;
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (seconds < 0) return std::nullopt;
    return std::chrono::seconds(seconds);
  }
  const auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  if (*when <= now) return Duration::zero();
  return std::chrono::duration_cast<Duration>(*when - now);
}

}  // namespace cyanrig
