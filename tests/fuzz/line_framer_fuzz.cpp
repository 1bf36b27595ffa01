// Serial line framing (rig/serial): the same bytes fed at once and in small pieces give the same
// lines, every line is valid UTF-8, and no line holds more than max_length raw bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "rig/serial/line_framer.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using cyanrig::LineFramer;
using cyanrig::SerialLine;

std::vector<SerialLine> frame(std::string_view bytes, std::size_t max_length, std::size_t piece) {
  LineFramer framer(LineFramer::Options{max_length, cyanrig::Duration::max()});
  std::vector<SerialLine> lines;
  const cyanrig::Instant t{};
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    for (auto& line : framer.feed(t, bytes.substr(at, piece))) lines.push_back(std::move(line));
  }
  if (auto last = framer.flush()) lines.push_back(std::move(*last));
  return lines;
}

// Raw bytes a line stood for: an escape "\xNN" was one byte (raw text that reads "\x41" is counted
// short, which only makes the max_length check weaker).
std::size_t raw_length(const std::string& text) {
  std::size_t length = 0;
  for (std::size_t i = 0; i < text.size(); ++length) {
    i += text.compare(i, 2, "\\x") == 0 && i + 4 <= text.size() ? 4 : 1;
  }
  return length;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  cyanrig::fuzz::InputBytes input(data, size);
  const std::size_t max_length = 1 + input.take() % 64;  // below 4 is raised to 4
  const std::size_t piece = 1 + input.take() % 16;
  const std::string_view bytes = input.rest();

  const auto whole = frame(bytes, max_length, bytes.size() + 1);
  const auto pieces = frame(bytes, max_length, piece);
  check(whole.size() == pieces.size(), "the same number of lines however the bytes arrive");
  for (std::size_t i = 0; i < whole.size() && i < pieces.size(); ++i) {
    check(whole[i].text == pieces[i].text && whole[i].partial == pieces[i].partial,
          "the same lines however the bytes arrive");
    check(cyanrig::escape_invalid_utf8(whole[i].text) == whole[i].text, "each line is valid UTF-8");
    check(raw_length(whole[i].text) <= std::max<std::size_t>(max_length, 4), "no line past max_length");
  }
  return 0;
}
