#include "rig/capabilities/cloud.hpp"
#include "rig/capabilities/outage.hpp"

namespace cyanrig {

std::string_view to_string(OutageMode mode) {
  switch (mode) {
    case OutageMode::cloud:
      return "cloud";
    case OutageMode::internet:
      return "internet";
    case OutageMode::dns:
      return "dns";
    case OutageMode::link:
      return "link";
  }
  return "cloud";
}

std::string_view to_string(OutageAction action) {
  return action == OutageAction::drop ? "drop" : "reject";
}

std::string_view to_string(CloudError e) {
  switch (e) {
    case CloudError::none:
      return "none";
    case CloudError::token:
      return "token";
    case CloudError::not_found:
      return "not_found";
    case CloudError::timed_out:
      return "timed_out";
    case CloudError::rate_limited:
      return "rate_limited";
    case CloudError::server:
      return "server";
    case CloudError::connection:
      return "connection";
    case CloudError::bad_request:
      return "bad_request";
  }
  return "none";
}

}  // namespace cyanrig
