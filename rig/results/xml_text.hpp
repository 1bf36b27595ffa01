// Text made safe for an XML 1.0 document (junit.xml). Serial lines and failure messages can hold
// anything a device sends, so everything is escaped, not only the characters we expect.
#pragma once

#include <string>
#include <string_view>

namespace cyanrig {

enum class XmlContext {
  text,       // element content: newlines and tabs stay as they are
  attribute,  // inside "...": quotes, tab, CR and LF become character references so parsers keep them
};

// Escapes & < > (and " ' tab LF CR in attributes, CR in text). C0 control characters other than
// tab/LF/CR, which XML 1.0 cannot carry at all (not even as references), are written as visible
// "\x1b"-style text; bytes that are not valid UTF-8, and U+FFFE/U+FFFF, become U+FFFD.
std::string xml_escape(std::string_view utf8, XmlContext context);

}  // namespace cyanrig
