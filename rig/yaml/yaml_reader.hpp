// Reading user YAML with every mistake reported at its position. A MapReader wraps one mapping:
// each get marks a key as known; finish() reports the keys nobody asked for ("unknown field").
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/diagnostic.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// Where a node starts; 1:1 for the document of an empty file, 0:0 for a node that is not there.
SourceLoc loc_of(const YAML::Node& node, const std::string& file);
// The document of a file with nothing but blank lines and comments.
bool is_empty_document(const YAML::Node& node);
// "mapping", "sequence", "text", "nothing"
std::string_view node_kind(const YAML::Node& node);
// The closest of `candidates` to `word` when it is plausibly a typo, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::optional<std::string> read_text_file(const std::string& path, Diagnostics& diags);
// Loads a YAML file; syntax errors become diagnostics with the parser's position.
std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diags);
std::optional<YAML::Node> load_yaml_text(const std::string& text, const std::string& file,
                                         Diagnostics& diags);

class MapReader {
 public:
  // `what` names the mapping in messages ("device", "expect step"). If node is not a mapping,
  // that is reported once and every get returns nothing.
  MapReader(const YAML::Node& node, std::string file, Diagnostics& diags, std::string what);

  bool valid() const { return valid_; }
  bool has(std::string_view key) const;
  YAML::Node node(std::string_view key);  // marks key known; null node when absent
  SourceLoc loc() const { return loc_of(map_, file_); }
  SourceLoc loc(std::string_view key) const;  // position of the key's value, or of the map
  const std::string& file() const { return file_; }
  const std::string& what() const { return what_; }
  Diagnostics& diags() { return diags_; }

  std::optional<std::string> text(std::string_view key, bool required = false);
  std::optional<double> number(std::string_view key, bool required = false, double min = -1e300,
                               double max = 1e300);
  std::optional<long long> integer(std::string_view key, bool required = false, long long min = LLONG_MIN,
                                   long long max = LLONG_MAX);
  std::optional<bool> boolean(std::string_view key, bool required = false);
  std::optional<Duration> duration(std::string_view key, bool required = false);
  // A string that must be one of `choices`.
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string>& choices,
                                    bool required = false);
  // A single string or a list of strings.
  std::vector<std::string> text_list(std::string_view key, bool required = false);

  void error(std::string_view key, std::string message);
  // Reports every key that no get asked for, with a suggestion when one is close.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool asked = false;
  };
  // The mapping's first entry with this key, or null. Looked up here rather than with yaml-cpp's
  // operator[], which formats the key through a std::stringstream for every key that is absent
  // (7 of them per step: most of the time of validating a long scenario).
  Entry* find(std::string_view key);
  const Entry* find(std::string_view key) const;

  YAML::Node map_;
  std::string file_;
  Diagnostics& diags_;
  std::string what_;
  bool valid_ = false;
  std::vector<Entry> entries_;        // in file order
  std::vector<std::string> unknown_;  // asked for, not present: known names for suggestions
};

// Names users give things in files (marks, limits, events, measurements): a letter, then letters,
// digits and _. `kIdentifierRule` is the sentence error messages use.
bool is_identifier(std::string_view name);
inline constexpr const char* kIdentifierRule = "must start with a letter and use letters, digits and _";

// Scalar helpers for nodes that are not inside a MapReader (list items, choice lists).
std::optional<std::string> scalar_text(const YAML::Node& node, const std::string& file, Diagnostics& diags,
                                       std::string_view what);
std::optional<Duration> scalar_duration(const YAML::Node& node, const std::string& file, Diagnostics& diags,
                                        std::string_view what);

}  // namespace cyanrig
