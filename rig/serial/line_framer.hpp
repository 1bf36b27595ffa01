// Raw serial bytes -> lines. CR, LF and CRLF all end a line; a partial line is flushed after an
// idle gap; over-long lines are cut at max_length; bytes that are not UTF-8 are kept as \xNN.
// The host timestamp of a line is the arrival time of its first byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/time.hpp"

namespace cyanrig {

struct SerialLine {
  Instant t;          // arrival of the first byte
  std::string text;   // without the line ending; valid UTF-8
  bool partial = false;  // flushed by idle gap, length cut or close, not by a line ending
};

class LineFramer {
 public:
  struct Options {
    std::size_t max_length = 4096;
    Duration idle_flush = std::chrono::milliseconds(250);
  };
  LineFramer() : LineFramer(Options{}) {}
  explicit LineFramer(Options options) : options_(options) {}

  std::vector<SerialLine> feed(Instant arrival, std::string_view bytes);
  // A partial line that has waited idle_flush since its last byte, if any.
  std::optional<SerialLine> flush_idle(Instant now);
  // Whatever is pending (port closed or detached).
  std::optional<SerialLine> flush();
  bool pending() const { return !buffer_.empty(); }
  const Options& options() const { return options_; }

 private:
  Options options_;
  std::string buffer_;
  Instant first_byte_;
  Instant last_byte_;
  bool last_was_cr_ = false;
};

// Makes arbitrary bytes valid UTF-8: valid sequences pass, every other byte becomes "\xNN".
std::string escape_invalid_utf8(std::string_view bytes);

}  // namespace cyanrig
