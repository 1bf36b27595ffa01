#include "rig/serial/line_framer.hpp"

#include <algorithm>

namespace cyanrig {
namespace {

// The longest UTF-8 sequence; also the smallest max_length that can hold any character.
constexpr std::size_t kMaxSequence = 4;

bool is_continuation(unsigned char b) {
  return (b & 0xC0U) == 0x80U;
}

// Length of the sequence a lead byte starts; 0 when the byte cannot start one (a continuation
// byte, C0/C1 which would be overlong, F5..FF which would pass U+10FFFF).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80U) return 1;
  if (lead >= 0xC2U && lead <= 0xDFU) return 2;
  if (lead >= 0xE0U && lead <= 0xEFU) return 3;
  if (lead >= 0xF0U && lead <= 0xF4U) return 4;
  return 0;
}

// The second byte has a narrower range after some leads (Unicode Table 3-7): this is what rules
// out overlong forms, UTF-16 surrogates and code points past U+10FFFF.
bool valid_second(unsigned char lead, unsigned char b) {
  switch (lead) {
    case 0xE0U:
      return b >= 0xA0U && b <= 0xBFU;
    case 0xEDU:
      return b >= 0x80U && b <= 0x9FU;
    case 0xF0U:
      return b >= 0x90U && b <= 0xBFU;
    case 0xF4U:
      return b >= 0x80U && b <= 0x8FU;
    default:
      return is_continuation(b);
  }
}

unsigned char byte_at(std::string_view bytes, std::size_t i) {
  return static_cast<unsigned char>(bytes[i]);
}

// How many bytes from the start of `bytes` agree with a valid sequence (0 for a bad lead).
// Equal to sequence_length() when the sequence is complete and valid.
std::size_t valid_run(std::string_view bytes) {
  const unsigned char lead = byte_at(bytes, 0);
  const std::size_t length = sequence_length(lead);
  if (length == 0) return 0;
  std::size_t run = 1;
  while (run < length && run < bytes.size()) {
    const unsigned char b = byte_at(bytes, run);
    if (!(run == 1 ? valid_second(lead, b) : is_continuation(b))) break;
    ++run;
  }
  return run;
}

// Bytes at the end that start a valid sequence which has not finished arriving.
std::size_t incomplete_tail(std::string_view bytes) {
  const std::size_t lookback = std::min(bytes.size(), kMaxSequence - 1);
  for (std::size_t back = 1; back <= lookback; ++back) {
    const std::size_t start = bytes.size() - back;
    if (is_continuation(byte_at(bytes, start))) continue;
    const std::string_view tail = bytes.substr(start);
    const bool unfinished = valid_run(tail) == tail.size() && tail.size() < sequence_length(byte_at(tail, 0));
    return unfinished ? back : 0;
  }
  return 0;
}

void append_escaped(std::string& out, unsigned char b) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out += "\\x";
  out.push_back(kHex[b >> 4U]);
  out.push_back(kHex[b & 0x0FU]);
}

}  // namespace

std::string escape_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::string_view rest = bytes.substr(i);
    const std::size_t length = sequence_length(byte_at(rest, 0));
    if (length != 0 && valid_run(rest) == length) {
      out.append(rest.substr(0, length));
      i += length;
    } else {
      append_escaped(out, byte_at(rest, 0));
      ++i;
    }
  }
  return out;
}

LineFramer::LineFramer(Options options) : options_(options) {
  options_.max_length = std::max(options_.max_length, kMaxSequence);
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
  const std::size_t carry = incomplete_tail(buffer_);
  lines.push_back(take(buffer_.size() - carry, true));
  // The carried bytes came with the most recent feed we know of; close enough for <= 3 bytes.
  if (!buffer_.empty()) first_byte_ = last_byte_;
}

SerialLine LineFramer::take(std::size_t length, bool partial) {
  SerialLine line{first_byte_, escape_invalid_utf8(std::string_view(buffer_).substr(0, length)), partial};
  buffer_.erase(0, length);
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
  if (buffer_.empty()) return std::nullopt;
  return take(buffer_.size(), true);
}

}  // namespace cyanrig
