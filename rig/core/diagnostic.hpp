// Problems found in a user's file, reported as `file:line:col: message` (1-based line and column).
#pragma once

#include <string>
#include <vector>

namespace cyanrig {

struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
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
  void append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace cyanrig
