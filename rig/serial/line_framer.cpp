#include "rig/serial/line_framer.hpp"

#include <algorithm>

#include "rig/core/utf8.hpp"

namespace cyanrig {

LineFramer::LineFramer(Options options) : options_(options) {
  options_.max_length = std::max(options_.max_length, kMaxUtf8Sequence);
  buffer_.reserve(options_.max_length);
}

std::vector<SerialLine> LineFramer::feed(Instant arrival, std::string_view bytes) {
  std::vector<SerialLine> lines;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find_first_of("\r\n");
    const std::string_view content = bytes.substr(0, end);
    if (!content.empty()) {
      last_was_cr_ = false;
      idle_flushed_ = false;
      append(arrival, content, lines);
    }
    if (end == std::string_view::npos) break;
    const char ending = bytes[end];
    bytes.remove_prefix(end + 1);
    if (ending == '\n' && last_was_cr_) {
      last_was_cr_ = false;  // the LF of a CRLF
      continue;
    }
    end_line(arrival, lines);
    last_was_cr_ = ending == '\r';
  }
  return lines;
}

void LineFramer::append(Instant arrival, std::string_view bytes, std::vector<SerialLine>& lines) {
  while (!bytes.empty()) {
    if (buffer_.size() >= options_.max_length) cut(lines);
    if (buffer_.empty()) first_byte_ = arrival;
    const std::size_t room = options_.max_length - buffer_.size();
    const std::size_t count = std::min(room, bytes.size());
    buffer_.append(bytes.substr(0, count));
    bytes.remove_prefix(count);
    last_byte_ = arrival;
  }
}

void LineFramer::end_line(Instant arrival, std::vector<SerialLine>& lines) {
  if (!buffer_.empty()) {
    lines.push_back(take(buffer_.size(), false));
  } else if (idle_flushed_) {
    idle_flushed_ = false;  // this ending belongs to the line flush_idle handed out
  } else {
    lines.push_back(SerialLine{arrival, {}, false});
  }
}

void LineFramer::cut(std::vector<SerialLine>& lines) {
  const std::size_t carry = utf8_incomplete_tail(buffer_);
  lines.push_back(take(buffer_.size() - carry, true));
  after_cut_ = true;
  // The carried bytes came with the most recent feed we know of; close enough for <= 3 bytes.
  if (!buffer_.empty()) first_byte_ = last_byte_;
}

SerialLine LineFramer::take(std::size_t length, bool partial) {
  SerialLine line{first_byte_, escape_invalid_utf8(std::string_view(buffer_).substr(0, length)), partial,
                  after_cut_};
  buffer_.erase(0, length);
  after_cut_ = false;
  return line;
}

std::optional<SerialLine> LineFramer::flush_idle(Instant now) {
  if (buffer_.empty() || now - last_byte_ < options_.idle_flush) return std::nullopt;
  idle_flushed_ = true;
  return take(buffer_.size(), true);
}

std::optional<SerialLine> LineFramer::flush() {
  last_was_cr_ = false;
  idle_flushed_ = false;
  if (buffer_.empty()) {
    after_cut_ = false;
    return std::nullopt;
  }
  return take(buffer_.size(), true);
}

}  // namespace cyanrig
