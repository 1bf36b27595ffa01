#include "rig/results/xml_text.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace cyanrig {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

bool continuation(unsigned char b) {
  return (b & 0xC0U) == 0x80U;
}

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char b0 = at(0);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) second_min = 0xA0;  // overlong
    if (b0 == 0xED) second_max = 0x9F;  // UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) second_min = 0x90;  // overlong
    if (b0 == 0xF4) second_max = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (at(1) < second_min || at(1) > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!continuation(at(k))) return 0;
  }
  return length;
}

// U+FFFE and U+FFFF (EF BF BE / EF BF BF) are valid UTF-8 but not XML characters.
bool xml_noncharacter(std::string_view sequence) {
  return sequence == "\xEF\xBF\xBE" || sequence == "\xEF\xBF\xBF";
}

void escape_ascii(char c, XmlContext context, std::string& out) {
  const bool attribute = context == XmlContext::attribute;
  switch (c) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += attribute ? "&quot;" : "\"";
      return;
    case '\'':
      out += attribute ? "&apos;" : "'";
      return;
    // Attribute-value normalisation would turn a literal tab or newline into a space.
    case '\t':
      out += attribute ? "&#9;" : "\t";
      return;
    case '\n':
      out += attribute ? "&#10;" : "\n";
      return;
    // Parsers turn a literal CR (or CR LF) into LF everywhere, so keep it as a reference.
    case '\r':
      out += "&#13;";
      return;
    default:
      break;
  }
  if (static_cast<unsigned char>(c) < 0x20) {
    out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
  } else {
    out += c;
  }
}

}  // namespace

std::string xml_escape(std::string_view utf8, XmlContext context) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    const std::size_t length = utf8_sequence_length(utf8, i);
    if (length == 0) {
      out += kReplacementCharacter;
      ++i;
      continue;
    }
    const std::string_view sequence = utf8.substr(i, length);
    if (length == 1) {
      escape_ascii(sequence.front(), context, out);
    } else if (xml_noncharacter(sequence)) {
      out += kReplacementCharacter;
    } else {
      out += sequence;
    }
    i += length;
  }
  return out;
}

}  // namespace cyanrig
