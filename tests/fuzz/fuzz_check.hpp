// What a fuzz target asserts besides "no crash": a broken promise aborts with the reason, which
// libFuzzer records as a crash with its input, like any sanitizer finding.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rig/core/diagnostic.hpp"

namespace cyanrig::fuzz {

inline void check(bool holds, std::string_view promise) {
  if (holds) return;
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(promise.size()), promise.data());
  std::abort();
}

// Every problem in a user's file is reported as `file:line:col: what is wrong`.
inline void check_positions(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.items()) {
    check(d.loc.line >= 1 && d.loc.column >= 1, "problems have a position");
    check(!d.message.empty(), "problems say what is wrong");
  }
}

// Takes bytes from the front of the input for the target's own choices (a chunk size, a limit);
// 0 once the input is used up.
class InputBytes {
 public:
  InputBytes(const unsigned char* data, std::size_t size) : data_(data), size_(size) {}
  unsigned char take() {
    if (size_ == 0) return 0;
    --size_;
    return *data_++;
  }
  std::string_view rest() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  const unsigned char* data_;
  std::size_t size_;
};

}  // namespace cyanrig::fuzz
