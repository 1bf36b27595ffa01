#include "rig/core/utf8.hpp"

#include <algorithm>

namespace cyanrig {
namespace {

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

void append_escaped(std::string& out, unsigned char b) {
  constexpr std::string_view kHex = "0123456789abcdef";
  out += "\\x";
  out.push_back(kHex[b >> 4U]);
  out.push_back(kHex[b & 0x0FU]);
}

}  // namespace

std::size_t utf8_incomplete_tail(std::string_view bytes) {
  const std::size_t lookback = std::min(bytes.size(), kMaxUtf8Sequence - 1);
  for (std::size_t back = 1; back <= lookback; ++back) {
    const std::size_t start = bytes.size() - back;
    if (is_continuation(byte_at(bytes, start))) continue;
    const std::string_view tail = bytes.substr(start);
    const bool unfinished = valid_run(tail) == tail.size() && tail.size() < sequence_length(byte_at(tail, 0));
    return unfinished ? back : 0;
  }
  return 0;
}

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

std::string printable_text(std::string_view bytes) {
  std::string out = escape_invalid_utf8(bytes);
  const auto is_control = [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b < 0x20U && c != '\t') || b == 0x7FU;
  };
  if (std::none_of(out.begin(), out.end(), is_control)) return out;
  std::string shown;
  shown.reserve(out.size() + 8);
  for (const char c : out) {
    if (is_control(c)) {
      append_escaped(shown, static_cast<unsigned char>(c));
    } else {
      shown.push_back(c);
    }
  }
  return shown;
}

}  // namespace cyanrig
