// Where the Particle Cloud API lives: `https://api.particle.io` by default, `http://127.0.0.1:PORT`
// for `cyanrig sim serve`, or a proxy with a base path (`https://proxy.lab/particle`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cyanrig {

struct ApiUrl {
  bool tls = true;   // https (verified) or http (loopback test servers)
  std::string host;  // name or address, without brackets for IPv6
  std::uint16_t port = 443;
  std::string base_path;  // "" or "/prefix" without a trailing slash

  // "/v1/devices" under the base path.
  std::string target(std::string_view path) const { return base_path + std::string(path); }
  // The Host header: the port only when it is not the scheme's default.
  std::string host_header() const;
  // The URL as the user wrote it, normalised: for messages and describe().
  std::string text() const;
};

struct ApiUrlParse {
  std::optional<ApiUrl> url;
  std::string error;  // set when url is empty
};

// Accepts http:// and https:// URLs with an optional port and path; no user info, query or fragment
// (they would silently change what is asked of the cloud).
ApiUrlParse parse_api_url(std::string_view text);

// One path segment percent-encoded (RFC 3986 unreserved characters stay), so a function named
// "a/b" cannot reach another endpoint.
std::string encode_path_segment(std::string_view segment);

}  // namespace cyanrig
