#include "drivers/cloud/particle/api_url.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace cyanrig {
namespace {

constexpr std::uint16_t default_port(bool tls) {
  return tls ? 443 : 80;
}

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string host_for_url(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

ApiUrlParse failed(std::string why) {
  return {std::nullopt, std::move(why)};
}

}  // namespace

std::string ApiUrl::host_header() const {
  if (port == default_port(tls)) return host_for_url(host);
  return fmt::format("{}:{}", host_for_url(host), port);
}

std::string ApiUrl::text() const {
  return fmt::format("{}://{}{}", tls ? "https" : "http", host_header(), base_path);
}

ApiUrlParse parse_api_url(std::string_view text) {
  const std::string_view example = "write e.g. https://api.particle.io or http://127.0.0.1:8080";
  ApiUrl url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return failed(fmt::format("'{}' is not a URL; {}", text, example));
  }
  std::string scheme(text.substr(0, scheme_end));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "https" && scheme != "http") {
    return failed(
        fmt::format("URL scheme '{}' is not supported: use https (or http for a loopback test "
                    "server)",
                    scheme));
  }
  url.tls = scheme == "https";
  url.port = default_port(url.tls);
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return failed(fmt::format("'{}' has a query or fragment; the API URL is the base only", text));
  }
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) {
    return failed(
        "the API URL must not carry credentials; the token comes from PARTICLE_ACCESS_TOKEN or "
        "token_file");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return failed(fmt::format("'{}': unclosed '[' in the host", text));
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return failed(fmt::format("'{}': unexpected text after the host", text));
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return failed(fmt::format("'{}' names no host; {}", text, example));
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return failed(fmt::format("'{}': the port must be a number from 1 to 65535", text));
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  url.base_path = std::string(path);
  return {url, ""};
}

std::string encode_path_segment(std::string_view segment) {
  std::string out;
  for (const char c : segment) {
    if (unreserved(c)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

}  // namespace cyanrig
