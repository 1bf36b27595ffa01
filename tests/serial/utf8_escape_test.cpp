#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rig/core/utf8.hpp"

namespace cyanrig {
namespace {

TEST(EscapeInvalidUtf8, KeepsValidText) {
  EXPECT_EQ(escape_invalid_utf8(""), "");
  EXPECT_EQ(escape_invalid_utf8("plain ASCII, tabs\tand \\backslashes"),
            "plain ASCII, tabs\tand \\backslashes");
  const std::string edges =
      "\xc2\x80"           // U+0080, smallest two-byte
      "\xdf\xbf"           // U+07FF
      "\xe0\xa0\x80"       // U+0800, smallest three-byte
      "\xed\x9f\xbf"       // U+D7FF, just below the surrogates
      "\xee\x80\x80"       // U+E000, just above them
      "\xef\xbf\xbf"       // U+FFFF
      "\xf0\x90\x80\x80"   // U+10000, smallest four-byte
      "\xf4\x8f\xbf\xbf";  // U+10FFFF, the last code point
  EXPECT_EQ(escape_invalid_utf8(edges), edges);
}

TEST(EscapeInvalidUtf8, EscapesEachByteThatIsNotPartOfAValidCharacter) {
  EXPECT_EQ(escape_invalid_utf8("\xff"), "\\xff");
  EXPECT_EQ(escape_invalid_utf8("a\x80z"), "a\\x80z");                         // stray continuation
  EXPECT_EQ(escape_invalid_utf8("\xc3("), "\\xc3(");                           // lead without continuation
  EXPECT_EQ(escape_invalid_utf8("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(escape_invalid_utf8("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong three-byte
  EXPECT_EQ(escape_invalid_utf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // UTF-16 surrogate
  EXPECT_EQ(escape_invalid_utf8("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  EXPECT_EQ(escape_invalid_utf8("\xf5\x80"), "\\xf5\\x80");
  EXPECT_EQ(escape_invalid_utf8("\xe2\x82"), "\\xe2\\x82");  // cut short
  // A bad byte does not swallow the valid character after it.
  EXPECT_EQ(escape_invalid_utf8("\xe2\xc3\xa9"), "\\xe2\xc3\xa9");
}

TEST(EscapeInvalidUtf8, ResultIsAlwaysAcceptedAsJsonText) {
  // The timeline and results are JSON; nlohmann::json throws on invalid UTF-8 when dumping.
  std::string every_byte;
  for (int b = 1; b < 256; ++b) every_byte.push_back(static_cast<char>(b));
  const std::string escaped = escape_invalid_utf8(every_byte + every_byte);
  EXPECT_NO_THROW((void)nlohmann::json(escaped).dump());
  // Running it again changes nothing: the output is already valid.
  EXPECT_EQ(escape_invalid_utf8(escaped), escaped);
}

}  // namespace
}  // namespace cyanrig
