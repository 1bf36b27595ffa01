// Server-sent events from the network (drivers/cloud/particle/sse_parser): the same bytes at once
// and in small pieces give the same events, and every event's data either is a Particle event or
// says why not.
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/cloud/particle/sse_parser.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

std::vector<cyanrig::SseEvent> parse(std::string_view bytes, std::size_t piece) {
  cyanrig::SseParser parser;
  std::vector<cyanrig::SseEvent> events;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    for (auto& event : parser.feed(bytes.substr(at, piece))) events.push_back(std::move(event));
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  cyanrig::fuzz::InputBytes input(data, size);
  const std::size_t piece = 1 + input.take() % 16;
  const std::string_view bytes = input.rest();

  const auto whole = parse(bytes, bytes.size() + 1);
  const auto pieces = parse(bytes, piece);
  check(whole.size() == pieces.size(), "the same number of events however the bytes arrive");
  for (std::size_t i = 0; i < whole.size() && i < pieces.size(); ++i) {
    check(whole[i].name == pieces[i].name && whole[i].data == pieces[i].data,
          "the same events however the bytes arrive");
    std::string why;
    const auto event = cyanrig::to_cloud_event(whole[i], &why);
    check(event.has_value() != !why.empty(), "an event, or the reason there is none");
  }
  return 0;
}
