#include "rig/devos/log_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "rig/core/text.hpp"
#include "rig/devos/device_codes.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

// The ms counter is a uint32 printed as %010u: more digits than that are not a Device OS stamp.
constexpr std::size_t kMaxStampDigits = 10;
// Every built-in message is short; skipping long ones keeps a megabyte line from costing a
// regex pass per rule.
constexpr std::size_t kMaxBuiltinMessage = 512;
// libstdc++ runs regexes recursively, about 300 bytes of stack per character of text: an
// application pattern like "(.*)" on a 40 kB line overflows an 8 MB stack. Longer texts are
// never handed to user patterns (a serial line is at most 4096 bytes before escaping).
constexpr std::size_t kMaxUserPatternText = 8192;
// The level sits right after the category, behind at most a source location.
constexpr std::size_t kLevelSearchWindow = 256;

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view strip_line_ending(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

std::optional<std::int64_t> to_integer(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------------
// The `<ms> [<category>] <LEVEL>: ` header.

struct Header {
  std::optional<std::uint64_t> device_ms;
  std::string_view category;
  std::string level;
  std::string_view message;
};

// What follows "[category] ": an optional "file.cpp:123, func(): " (SerialLogHandler prints it
// when the build records source locations), then the level and its colon.
const std::regex& level_regex() {
  static const std::regex kLevelPrefix(
      R"(^(?:\S+:\d+[,:] +)?(?:\S+\(\): +)?(TRACE|INFO|WARN|WARNING|ERROR|PANIC): ?)",
      std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
  return kLevelPrefix;
}

// The device ms counter that ends right before `bracket` ("0000012345 ["), if there is one.
// Capture prefixes end in a space or ']' and never glue letters to the counter.
std::optional<std::uint64_t> stamp_before(std::string_view line, std::size_t bracket) {
  if (bracket < 2 || line[bracket - 1] != ' ') return std::nullopt;
  const std::size_t end = bracket - 1;
  std::size_t begin = end;
  while (begin > 0 && is_digit(line[begin - 1])) --begin;
  const std::size_t digits = end - begin;
  if (digits == 0 || digits > kMaxStampDigits) return std::nullopt;
  if (begin > 0 && is_alnum(line[begin - 1])) return std::nullopt;
  std::uint64_t value = 0;
  std::from_chars(line.data() + begin, line.data() + end, value);
  return value;
}

// The first "[category] LEVEL:" in the line. A category holds no white space, which skips tags
// like grabserial's "[0.123456 0.000100]"; a tag like "[ttyACM0]" is skipped because no level
// follows it.
std::optional<Header> find_header(std::string_view line) {
  for (std::size_t open = line.find('['); open != std::string_view::npos; open = line.find('[', open + 1)) {
    if (open > 0 && !is_space(line[open - 1]) && line[open - 1] != ']') continue;
    const std::size_t close = line.find(']', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view category = line.substr(open + 1, close - open - 1);
    if (category.empty() || std::any_of(category.begin(), category.end(), is_space)) continue;
    if (close + 1 >= line.size() || line[close + 1] != ' ') continue;

    const std::string_view rest = line.substr(close + 2);
    const std::string_view window = rest.substr(0, kLevelSearchWindow);
    std::cmatch m;
    if (!std::regex_search(window.data(), window.data() + window.size(), m, level_regex())) continue;

    std::string level = upper(std::string_view(m[1].first, static_cast<std::size_t>(m[1].length())));
    if (level == "WARNING") level = "WARN";
    return Header{stamp_before(line, open), category, std::move(level),
                  rest.substr(static_cast<std::size_t>(m.length(0)))};
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Message tidying: what loose matching ignores.

struct Message {
  std::string_view text;
  nlohmann::json attributes = nlohmann::json::object();  // "code" / "details" from " [code = N, ...]"
};

bool consume_prefix(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// SerialLogHandler appends " [code = N, details = text]" when the caller attached them.
void take_attributes(Message& message) {
  const std::string_view text = message.text;
  if (text.empty() || text.back() != ']') return;
  const std::size_t open = text.rfind('[');
  if (open == std::string_view::npos) return;
  std::string_view inner = text.substr(open + 1, text.size() - open - 2);
  nlohmann::json attributes = nlohmann::json::object();
  if (consume_prefix(inner, "code = ")) {
    const std::size_t comma = inner.find(", ");
    const auto code = to_integer(inner.substr(0, comma));
    if (!code) return;
    attributes["code"] = *code;
    inner = comma == std::string_view::npos ? std::string_view{} : inner.substr(comma + 2);
  }
  if (consume_prefix(inner, "details = ")) attributes["details"] = std::string(inner);
  const bool leftover = !inner.empty() && !attributes.contains("details");
  if (attributes.empty() || leftover) return;  // a bracket that belongs to the message itself
  message.attributes = std::move(attributes);
  message.text = text.substr(0, open);
}

Message tidy(std::string_view text) {
  Message message{trim(text)};
  take_attributes(message);
  std::string_view& t = message.text;
  t = trim(t);
  while (!t.empty() && (t.back() == '.' || t.back() == '!')) t.remove_suffix(1);
  t = trim(t);
  return message;
}

// ---------------------------------------------------------------------------------------------
// Built-in rules.

enum class FieldKind { text, lower_text, upper_text, integer };

struct Capture {
  std::string_view field;
  FieldKind kind = FieldKind::text;
};

struct Rule {
  std::string_view event;
  // Matched against the end of the tidied message, case-insensitively, wherever it starts after a
  // word ends: a component prefix ("Cloud: ", "[comm] ") may come before it. A space means "any
  // white space, or none", so "cloud:? connecting" takes "Cloud: connecting" and "cloud  connecting".
  std::string_view pattern;
  std::vector<Capture> captures = {};  // group 1, 2, ... -> field
  nlohmann::json constants = nullptr;  // fixed fields, e.g. {"reason": "cancelled"}
  // Only for lines whose category starts with this (empty: any category).
  std::string_view category = {};
  void (*complete)(nlohmann::json& fields) = nullptr;  // derived fields
};

void name_reset_reason(nlohmann::json& fields) {
  const auto code = fields["code"].get<std::int64_t>();
  const auto name = reset_reason_name(code);
  fields["reason"] = name ? std::string(*name) : std::to_string(code);
  // Device OS stores the panic code as the reset data (panic_() -> HAL_Core_System_Reset_Ex).
  if (name == "panic" && fields.contains("data")) fields["panic_code"] = fields["data"];
}

void add_panic_name(nlohmann::json& fields, int code) {
  fields["code"] = code;
  if (const auto name = panic_code_name(code)) fields["name"] = std::string(*name);
}

// "panic, 13" / "panic: StackOverflow": the captured token is a code or a name.
void name_panic(nlohmann::json& fields) {
  const std::string token = fields["token"].get<std::string>();
  fields.erase("token");
  if (const auto number = to_integer(token)) {
    add_panic_name(fields, static_cast<int>(*number));
  } else if (const auto code = panic_code_from_name(token)) {
    add_panic_name(fields, *code);
  } else {
    fields["name"] = token;
  }
}

const std::vector<Rule>& rule_table() {
  const Capture code{"code", FieldKind::integer};
  // "Netif wl3 link UP" (Wi-Fi link) and "Netif pp3 state UP" (interface, cellular's link signal).
  const std::vector<Capture> netif{{"interface", FieldKind::text}, {"kind", FieldKind::lower_text}};
  static const std::vector<Rule> kRules{
      {"device_started", R"(device ([0-9a-f]{24}) started)", {{"id", FieldKind::lower_text}}},
      {"reset_reason",
       R"(last reset reason:? (\d+)(?: \(? data:? (0x[0-9a-f]+|\d+) \)?)?)",
       {code, {"data", FieldKind::integer}},
       {},
       {},
       name_reset_reason},
      {"network_state",
       R"(state changed:? ([a-z][a-z_]*) -+> ([a-z][a-z_]*))",
       {{"from", FieldKind::upper_text}, {"to", FieldKind::upper_text}}},
      {"network_link_up", R"(netif (\S+) (link|state) up)", netif},
      {"network_link_down", R"(netif (\S+) (link|state) down)", netif},
      {"cloud_connecting", R"(cloud:? connecting)"},
      {"cloud_socket_connected", R"(cloud socket connected)"},
      {"cloud_socket_failed", R"(cloud socket connection failed(?:[:,]? (?:code [=:]? )?(-?\d+))?)", {code}},
      {"handshake_started",
       R"(starting handshake(?:[:,]? presen[sc]e_?announce [=:] ([01]))?)",
       {{"presence_announce", FieldKind::integer}}},
      // Older Device OS also logs "[comm.dtls] skipping hello message" next to the handshake
      // line below; counting both would report one resume twice.
      {"session_resumed", R"(skipping hello message)", {}, {}, "comm.protocol"},
      {"session_resumed", R"(resumed session(?: -+)? not sending hello message)"},
      {"handshake_completed", R"(handshake completed)"},
      {"cloud_connected", R"(cloud connected)"},
      {"cloud_handshake_failed", R"(cloud handshake failed(?:[:,]? (?:code [=:]? )?(-?\d+))?)", {code}},
      {"cloud_disconnecting", R"(cloud:? disconnecting)"},
      {"cloud_disconnected", R"(cloud:? disconnected)"},
      {"cloud_error", R"(handling cloud error(?:[:,]? (-?\d+))?)", {code}},
      {"cloud_error", R"(communication loop error,? closing cloud socket)"},
      {"internet_test_failed",
       R"(internet test failed(?:[:,]? (-?\d+))?(?:[:,]? ([^\d\s].*))?)",
       {code, {"reason", FieldKind::text}}},
      {"cloud_unreachable", R"(internet available,? cloud not reachable)"},
      {"dns_failed",
       R"(unable to resolve (?:ip )?(?:address )?for ([^\s(]+)(?: \(? (-?\d+) \)?)?)",
       {{"host", FieldKind::text}, code}},
      {"network_reset",
       R"(resetting network interfaces? due to failed connection attempts? for (\d+) minutes?)",
       {{"minutes", FieldKind::integer}}},
      {"network_reset", R"(resetting wlan due to (.+))", {{"reason", FieldKind::text}}},
      {"ota_started", R"(received update start request)"},
      {"ota_started", R"(starting firmware update)"},
      {"ota_finished", R"(received update finish request)"},
      {"ota_applying", R"(applying firmware update)"},
      {"ota_failed",
       R"(firmware update failed(?:[:,]? (?:code [=:]? )?(-?\d+))?(?:[:,]? ([^\d\s].*))?)",
       {code, {"detail", FieldKind::text}},
       {{"reason", "update_failed"}}},
      {"ota_failed", R"(transfer timeout)", {}, {{"reason", "transfer_timeout"}}},
      {"ota_failed", R"(cancell?ing firmware update)", {}, {{"reason", "cancelled"}}},
      {"listening_entered", R"(entering listening mode)"},
      {"listening_exited", R"(exiting listening mode)"},
      {"panic", R"(panic [:,] (\S+))", {{"token", FieldKind::text}}, {}, {}, name_panic},
  };
  return kRules;
}

// The rule's pattern, ending the message, after the start or a character that ends a word.
std::string loose_regex(std::string_view pattern) {
  std::string out = "(?:^|[^[:alnum:]_])(?:";
  for (char c : pattern) {
    if (c == ' ') {
      out += R"(\s*)";
    } else {
      out.push_back(c);
    }
  }
  return out + ")$";
}

struct CompiledRule {
  const Rule* rule;
  std::regex regex;
  // The pattern's leading word ("cloud", "netif"): a message without it cannot match, and looking
  // for it is far cheaper than a regex search from every position.
  std::string first_word;
};

const std::vector<CompiledRule>& compiled_rules() {
  static const std::vector<CompiledRule> kCompiled = [] {
    std::vector<CompiledRule> out;
    for (const Rule& rule : rule_table()) {
      const std::string_view pattern = rule.pattern;
      auto word_end =
          std::find_if_not(pattern.begin(), pattern.end(), [](char c) { return c >= 'a' && c <= 'z'; });
      // A letter a quantifier follows ("cancell?ing") may be missing: the word ends before it.
      if (word_end != pattern.begin() && word_end != pattern.end() &&
          std::string_view("?*{").find(*word_end) != std::string_view::npos) {
        --word_end;
      }
      out.push_back({&rule,
                     std::regex(loose_regex(pattern),
                                std::regex::ECMAScript | std::regex::icase | std::regex::optimize),
                     std::string(pattern.begin(), word_end)});
    }
    return out;
  }();
  return kCompiled;
}

nlohmann::json field_value(FieldKind kind, std::string_view text) {
  switch (kind) {
    case FieldKind::lower_text:
      return lower(text);
    case FieldKind::upper_text:
      return upper(text);
    case FieldKind::integer:
      if (const auto number = to_integer(text)) return *number;
      return std::string(text);  // out of range: keep what the device said
    case FieldKind::text:
      break;
  }
  return std::string(text);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<DevosEvent> apply(const CompiledRule& compiled, const Header& header, const Message& message,
                                std::string_view lowered) {
  const Rule& rule = *compiled.rule;
  if (!starts_with(header.category, rule.category)) return std::nullopt;
  if (lowered.find(compiled.first_word) == std::string_view::npos) return std::nullopt;
  std::cmatch m;
  if (!std::regex_search(message.text.data(), message.text.data() + message.text.size(), m, compiled.regex)) {
    return std::nullopt;
  }
  DevosEvent event{std::string(rule.event), header.device_ms};
  if (rule.constants.is_object()) event.fields = rule.constants;
  for (std::size_t i = 0; i < rule.captures.size() && i + 1 < m.size(); ++i) {
    if (!m[i + 1].matched) continue;
    const std::string_view text(m[i + 1].first, static_cast<std::size_t>(m[i + 1].length()));
    event.fields[std::string(rule.captures[i].field)] = field_value(rule.captures[i].kind, trim(text));
  }
  if (rule.complete != nullptr) rule.complete(event.fields);
  return event;
}

// A PANIC level line names the fault in words ("HardFault", "Out of heap memory") if at all.
std::optional<int> panic_code_in(std::string_view message) {
  std::string squeezed;
  for (char c : message) {
    if (is_alnum(c)) squeezed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  for (int code = 1; const auto name = panic_code_name(code); ++code) {
    std::string wanted;
    for (char c : *name) {
      if (c != '_') wanted.push_back(c);
    }
    // "exit" is too common a word to find inside other text.
    const bool found = wanted == "exit" ? squeezed == wanted : squeezed.find(wanted) != std::string::npos;
    if (found) return code;
  }
  return std::nullopt;
}

std::optional<DevosEvent> match_builtin(const Header& header) {
  if (header.message.size() > kMaxBuiltinMessage) return std::nullopt;
  const Message message = tidy(header.message);
  const std::string lowered = lower(message.text);
  for (const CompiledRule& compiled : compiled_rules()) {
    if (auto event = apply(compiled, header, message, lowered)) {
      for (const auto& [key, value] : message.attributes.items()) {
        if (!event->fields.contains(key)) event->fields[key] = value;
      }
      return event;
    }
  }
  if (header.level == "PANIC") {
    DevosEvent event{"panic", header.device_ms, message.attributes};
    if (const auto code = panic_code_in(message.text)) add_panic_name(event.fields, *code);
    return event;
  }
  return std::nullopt;
}

}  // namespace

std::optional<DevosLogLine> split_devos_line(std::string_view line) {
  const auto header = find_header(strip_line_ending(line));
  if (!header || !header->device_ms) return std::nullopt;
  return DevosLogLine{*header->device_ms, std::string(header->category), header->level,
                      std::string(header->message)};
}

void DevosLogParser::add_pattern(const std::string& regex, const std::string& event_name) {
  if (event_name.empty()) throw std::invalid_argument("log pattern '" + regex + "' has no event name");
  try {
    user_.push_back({std::regex(regex, std::regex::ECMAScript), event_name});
  } catch (const std::regex_error& error) {
    throw std::invalid_argument("log pattern '" + regex + "' is not a valid regex: " + error.what());
  }
}

std::optional<DevosEvent> DevosLogParser::match_user(std::string_view text) const {
  if (text.size() > kMaxUserPatternText) return std::nullopt;
  for (const UserPattern& pattern : user_) {
    std::cmatch m;
    if (!std::regex_search(text.data(), text.data() + text.size(), m, pattern.regex)) continue;
    DevosEvent event{pattern.event, std::nullopt};
    for (std::size_t i = 1; i < m.size(); ++i) {
      if (m[i].matched) event.fields[std::to_string(i)] = m[i].str();
    }
    return event;
  }
  return std::nullopt;
}

std::optional<DevosEvent> DevosLogParser::parse(std::string_view line) const {
  line = strip_line_ending(line);
  const auto header = find_header(line);
  if (header) {
    if (auto event = match_builtin(*header)) return event;
  }
  auto event = match_user(header ? header->message : line);
  if (event && header) event->device_ms = header->device_ms;
  return event;
}

const std::vector<std::string>& DevosLogParser::event_names() {
  static const std::vector<std::string> kNames(kDevosEventNames.begin(), kDevosEventNames.end());
  return kNames;
}

}  // namespace cyanrig
