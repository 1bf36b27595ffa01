#include <fmt/format.h>

#include "rig/capabilities/cloud.hpp"
#include "rig/capabilities/outage.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {

std::string_view to_string(OutageMode mode) {
  switch (mode) {
    case OutageMode::cloud:
      return "cloud";
    case OutageMode::internet:
      return "internet";
    case OutageMode::dns:
      return "dns";
    case OutageMode::impair:
      return "impair";
    case OutageMode::link:
      return "link";
  }
  return "cloud";
}

std::optional<OutageMode> outage_mode_named(std::string_view name) {
  for (const OutageMode mode : kOutageModes) {
    if (to_string(mode) == name) return mode;
  }
  return std::nullopt;
}

std::optional<OutageAction> outage_action_named(std::string_view name) {
  if (name == to_string(OutageAction::drop)) return OutageAction::drop;
  if (name == to_string(OutageAction::reject)) return OutageAction::reject;
  return std::nullopt;
}

std::string outage_mode_names() {
  std::string out;
  for (const OutageMode mode : kOutageModes) out += (out.empty() ? "" : ", ") + std::string(to_string(mode));
  return out;
}

std::string describe(const OutageSpec& spec) {
  if (spec.mode == OutageMode::impair) {
    std::string out = fmt::format("impair (loss {}%", spec.impair.loss_percent);
    if (spec.impair.delay > Duration{0}) out += fmt::format(", delay {}", format_duration(spec.impair.delay));
    if (spec.impair.jitter > Duration{0}) out += fmt::format(" ± {}", format_duration(spec.impair.jitter));
    return out + ")";
  }
  if (spec.mode == OutageMode::link) return "link";
  return fmt::format("{} ({})", to_string(spec.mode), to_string(spec.action));
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
