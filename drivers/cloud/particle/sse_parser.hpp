// Server-sent events (text/event-stream) as the Particle cloud sends them: bytes in, whole events
// out, however the bytes were split by the network.
//
//   :ok                                   <- comment (the stream's greeting, and keepalives)
//   event: spark/flash/status
//   data: {"data":"success ","ttl":60,"published_at":"2024-05-01T10:00:00.000Z","coreid":"e00f..."}
//   <blank line>                          <- dispatches the event
//
// Lines end in LF, CRLF or CR; several `data:` lines join with LF (the W3C rules).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/capabilities/cloud.hpp"

namespace cyanrig {

struct SseEvent {
  std::string name = "message";  // `event:`, or the W3C default
  std::string data;
};

class SseParser {
 public:
  std::vector<SseEvent> feed(std::string_view bytes);
  // Forget a half-received event: a reconnected stream starts afresh.
  void reset();

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  std::string line_;
  bool after_cr_ = false;  // a CR ended the last line; an LF right after it belongs to it
  SseEvent pending_;
  bool has_data_ = false;
};

// A Particle event's data JSON: `data` (kept exactly as sent, trailing spaces included), `coreid`,
// `published_at`; `ttl` may be a string or a number and is not needed. nullopt with `why` set when
// the data is not such an object.
std::optional<CloudEvent> to_cloud_event(const SseEvent& event, std::string* why = nullptr);

}  // namespace cyanrig
