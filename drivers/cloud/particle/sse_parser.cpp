#include "drivers/cloud/particle/sse_parser.hpp"

#include <nlohmann/json.hpp>

namespace cyanrig {

std::vector<SseEvent> SseParser::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  for (const char c : bytes) {
    const bool was_after_cr = after_cr_;
    after_cr_ = false;
    if (c == '\n' && was_after_cr) continue;  // the LF of a CRLF
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      line(line_, out);
      line_.clear();
      continue;
    }
    line_ += c;
  }
  return out;
}

void SseParser::reset() {
  line_.clear();
  after_cr_ = false;
  pending_ = SseEvent{};
  has_data_ = false;
}

void SseParser::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    if (has_data_) out.push_back(std::move(pending_));
    pending_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') return;  // comment: `:ok`, keepalives
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);  // only the one space after the colon
  if (field == "event") {
    pending_.name = std::string(value);
  } else if (field == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data += value;
    has_data_ = true;
  }
  // `id` and `retry` are not used by the Particle cloud; unknown fields are ignored by the spec.
}

std::optional<CloudEvent> to_cloud_event(const SseEvent& event, std::string* why) {
  const auto fail = [&](const char* reason) -> std::optional<CloudEvent> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  const auto json = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return fail("event data is not a JSON object");
  CloudEvent out;
  out.name = event.name;
  const auto text = [&](const char* key) {
    const auto it = json.find(key);
    if (it == json.end() || it->is_null()) return std::string();
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  out.data = text("data");
  out.published_at = text("published_at");
  const std::string coreid = text("coreid");
  if (coreid.empty()) return fail("event data has no coreid");
  out.device = DeviceId::parse(coreid);  // "particle-internal" and the like stay without a device
  return out;
}

}  // namespace cyanrig
