// What a Particle Cloud API answer means (particle-reference.md §6): success, or a CloudError the
// engine turns into a verdict, with the server's own words as the message.
//
//   401, 403        token        the access token was refused: infrastructure
//   404             not_found    unknown device, function or variable: the scenario's mistake
//   408             timed_out    the cloud could not reach the device: the device's failure
//   429             rate_limited back off for Retry-After, then try again
//   400, other 4xx  bad_request  the request itself is wrong: the scenario's mistake
//   5xx, other      server       cloud trouble: infrastructure
//
// Old and new servers spell things differently (`Timed out.` / `timed out`): matching is loose.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "rig/capabilities/cloud.hpp"

namespace cyanrig {

// `body` is the raw response text (JSON from the cloud, anything from a proxy in between).
// On success CloudReply::body is the parsed JSON; a 2xx whose body is not JSON is a server error.
// A body saying `timed out` means timed_out whatever the status, as old servers sent it.
CloudReply map_api_reply(int http_status, std::string_view body);

// True for the cloud's "the device did not answer" text in any of its spellings.
bool says_timed_out(std::string_view error_text);

// Retry-After as delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), relative
// to `now`. A date in the past is zero; anything unreadable is nullopt.
std::optional<Duration> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace cyanrig
