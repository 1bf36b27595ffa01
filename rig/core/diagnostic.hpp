// Problems found in a user's file, reported as `file:line:col: message` (1-based line and column).
#pragma once

#include <string>
#include <vector>

namespace cyanrig {

struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown

  std::string to_string() const;  // "file:line:col", "file" when the line is unknown
};

struct Diagnostic {
  SourceLoc loc;
  std::string message;
  // "file:line:col: message"; bytes that are not UTF-8 and control characters come out as \xNN.
  std::string to_string() const;
};

// Collects every problem in a file so the user sees all of them at once, not one per attempt.
class Diagnostics {
 public:
  void error(SourceLoc loc, std::string message) { items_.push_back({std::move(loc), std::move(message)}); }
  // Something that will make a run less than it looks (an outage too short for some device to
  // notice): said, but the file is still valid.
  void warn(SourceLoc loc, std::string message) { warnings_.push_back({std::move(loc), std::move(message)}); }
  void append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
    warnings_.insert(warnings_.end(), other.warnings_.begin(), other.warnings_.end());
  }
  bool empty() const { return items_.empty(); }  // no errors (warnings do not count)
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  const std::vector<Diagnostic>& warnings() const { return warnings_; }

 private:
  std::vector<Diagnostic> items_;
  std::vector<Diagnostic> warnings_;
};

}  // namespace cyanrig
