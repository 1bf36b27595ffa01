#include "rig/yaml/yaml_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <fstream>
#include <sstream>

#include "rig/core/duration_text.hpp"

namespace cyanrig {

SourceLoc loc_of(const YAML::Node& node, const std::string& file) {
  if (!node.IsDefined()) return {file, 0, 0};
  const YAML::Mark m = node.Mark();
  // Only the document of an empty file (blank lines and comments at most) has no position.
  if (m.is_null()) return {file, 1, 1};
  return {file, m.line + 1, m.column + 1};
}

bool is_empty_document(const YAML::Node& node) {
  return node.IsDefined() && node.IsNull() && node.Mark().is_null();
}

std::string_view node_kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "text";
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<YAML::Node> load_yaml_text(const std::string& text, const std::string& file,
                                         Diagnostics& diags) {
  try {
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own words for this are "bad file".
    diags.error({file, e.mark.is_null() ? 1 : e.mark.line + 1, e.mark.is_null() ? 1 : e.mark.column + 1},
                fmt::format("lists and mappings nested {} levels deep here, more than the YAML reader "
                            "allows (scenario and rack files need a few levels)",
                            e.depth()));
  } catch (const YAML::ParserException& e) {
    const SourceLoc loc{file, e.mark.is_null() ? 0 : e.mark.line + 1,
                        e.mark.is_null() ? 0 : e.mark.column + 1};
    diags.error(loc, fmt::format("YAML syntax: {}", e.msg));
  } catch (const YAML::Exception& e) {
    diags.error({file, 0, 0}, fmt::format("YAML: {}", e.what()));
  }
  return std::nullopt;
}

std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path);
  if (!in) {
    diags.error({path, 0, 0}, "cannot read file (does it exist, and may cyanrig read it?)");
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diags) {
  const auto text = read_text_file(path, diags);
  if (!text) return std::nullopt;
  return load_yaml_text(*text, path, diags);
}

MapReader::MapReader(const YAML::Node& node, std::string file, Diagnostics& diags, std::string what)
    : map_(node), file_(std::move(file)), diags_(diags), what_(std::move(what)) {
  valid_ = node.IsDefined() && node.IsMap();
  if (valid_) {
    entries_.reserve(node.size());
    for (const auto& kv : node) entries_.push_back({kv.first.Scalar(), kv.first, kv.second});
    return;
  }
  if (is_empty_document(node)) {
    diags_.error(loc_of(node, file_), fmt::format("{} must be a mapping, found an empty file (nothing but "
                                                  "blank lines and comments)",
                                                  what_));
  } else {
    diags_.error(loc_of(node, file_), fmt::format("{} must be a mapping, found {}", what_, node_kind(node)));
  }
}

MapReader::Entry* MapReader::find(std::string_view key) {
  for (Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

bool MapReader::has(std::string_view key) const {
  return find(key) != nullptr;
}

YAML::Node MapReader::node(std::string_view key) {
  Entry* entry = find(key);
  if (entry == nullptr) {
    if (std::find(unknown_.begin(), unknown_.end(), key) == unknown_.end()) unknown_.emplace_back(key);
    return YAML::Node(YAML::NodeType::Undefined);
  }
  // Every entry with this key is known (a repeated key is yaml-cpp's to reject or keep first).
  for (Entry& e : entries_) {
    if (e.key == key) e.asked = true;
  }
  return entry->value;
}

SourceLoc MapReader::loc(std::string_view key) const {
  if (const Entry* entry = find(key)) return loc_of(entry->value, file_);
  return loc_of(map_, file_);
}

void MapReader::error(std::string_view key, std::string message) {
  diags_.error(loc(key), std::move(message));
}

std::optional<std::string> MapReader::text(std::string_view key, bool required) {
  const YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) diags_.error(loc(), fmt::format("{} needs '{}'", what_, key));
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(key, fmt::format("'{}' must be text, found {}", key, node_kind(n)));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<double> MapReader::number(std::string_view key, bool required, double min, double max) {
  const auto t = text(key, required);
  if (!t) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t->c_str(), &end);
  if (t->empty() || end != t->c_str() + t->size()) {
    error(key, fmt::format("'{}' must be a number, found '{}'", key, *t));
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(key, fmt::format("'{}' must be between {} and {}, found {}", key, min, max, *t));
    return std::nullopt;
  }
  return v;
}

std::optional<long long> MapReader::integer(std::string_view key, bool required, long long min,
                                            long long max) {
  const auto t = text(key, required);
  if (!t) return std::nullopt;
  char* end = nullptr;
  const long long v = std::strtoll(t->c_str(), &end, 0);
  if (t->empty() || end != t->c_str() + t->size()) {
    error(key, fmt::format("'{}' must be a whole number, found '{}'", key, *t));
    return std::nullopt;
  }
  if (v < min || v > max) {
    error(key, fmt::format("'{}' must be between {} and {}, found {}", key, min, max, v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> MapReader::boolean(std::string_view key, bool required) {
  const auto t = text(key, required);
  if (!t) return std::nullopt;
  if (*t == "true" || *t == "yes" || *t == "on") return true;
  if (*t == "false" || *t == "no" || *t == "off") return false;
  error(key, fmt::format("'{}' must be true or false, found '{}'", key, *t));
  return std::nullopt;
}

std::optional<Duration> MapReader::duration(std::string_view key, bool required) {
  const YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) diags_.error(loc(), fmt::format("{} needs '{}'", what_, key));
    return std::nullopt;
  }
  return scalar_duration(n, file_, diags_, fmt::format("'{}'", key));
}

std::optional<std::string> MapReader::choice(std::string_view key, const std::vector<std::string>& choices,
                                             bool required) {
  auto t = text(key, required);
  if (!t) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *t) != choices.end()) return t;
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  const std::string hint = did_you_mean(*t, choices);
  error(key, fmt::format("'{}' must be one of {}; found '{}'{}", key, list, *t,
                         hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  return std::nullopt;
}

std::vector<std::string> MapReader::text_list(std::string_view key, bool required) {
  std::vector<std::string> out;
  const YAML::Node n = node(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) diags_.error(loc(), fmt::format("{} needs '{}'", what_, key));
    return out;
  }
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    error(key, fmt::format("'{}' must be text or a list of text, found {}", key, node_kind(n)));
    return out;
  }
  for (const YAML::Node& item : n) {
    if (auto t = scalar_text(item, file_, diags_, fmt::format("each item of '{}'", key))) out.push_back(*t);
  }
  return out;
}

void MapReader::finish() {
  if (!valid_) return;
  std::vector<std::string> known = unknown_;
  for (const Entry& e : entries_) {
    if (e.asked) known.push_back(e.key);
  }
  for (const Entry& e : entries_) {
    if (e.asked) continue;
    const std::string hint = did_you_mean(e.key, known);
    diags_.error(loc_of(e.key_node, file_),
                 fmt::format("unknown field '{}' in {}{}", e.key, what_,
                             hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }
}

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isalpha(static_cast<unsigned char>(name.front())) == 0) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; });
}

std::optional<std::string> scalar_text(const YAML::Node& node, const std::string& file, Diagnostics& diags,
                                       std::string_view what) {
  if (!node.IsDefined() || !node.IsScalar()) {
    diags.error(loc_of(node, file), fmt::format("{} must be text, found {}", what, node_kind(node)));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<Duration> scalar_duration(const YAML::Node& node, const std::string& file, Diagnostics& diags,
                                        std::string_view what) {
  const auto t = scalar_text(node, file, diags, what);
  if (!t) return std::nullopt;
  DurationParse p = parse_duration(*t);
  if (!p.value) {
    diags.error(loc_of(node, file), fmt::format("{}: {}", what, p.error));
    return std::nullopt;
  }
  return p.value;
}

}  // namespace cyanrig
