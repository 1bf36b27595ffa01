// Raw serial bytes -> lines. CR, LF and CRLF all end a line; a partial line is flushed after an
// idle gap; over-long lines are cut at max_length; bytes that are not UTF-8 are kept as \xNN.
// The host timestamp of a line is the arrival time of its first byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/time.hpp"
#include "rig/core/utf8.hpp"  // lines are escape_invalid_utf8()

namespace cyanrig {

struct SerialLine {
  Instant t;             // arrival of the first byte (of the line ending, for an empty line)
  std::string text;      // without the line ending; valid UTF-8
  bool partial = false;  // flushed by idle gap, length cut or close, not by a line ending
  // The rest of a line that was cut at max_length: not a line of its own. Whoever counts lines or
  // reads meaning into them (a Device OS message) skips these.
  bool continued = false;
};

// Rules a reader relies on:
// - CRLF is one ending, also when CR and LF arrive in separate feeds. CR or LF alone each end a
//   line; an ending with nothing before it gives an empty line (a device's println()), except
//   the ending of a line that flush_idle already handed out, which just closes that line.
// - max_length counts raw bytes. A line that would grow past it is cut (partial) and the rest
//   continues as a new piece (`continued`, and partial again if cut again), whose time is the
//   arrival of its first byte. A cut never splits a
//   UTF-8 sequence: the sequence's first bytes move to the new line.
// - Bytes are kept until their line ends, so a multi-byte character split across feeds arrives
//   whole; flush_idle and flush escape whatever incomplete sequence is left.
// - No allocation per byte: the pending line's buffer is reserved once; each line handed out owns
//   its text.
class LineFramer {
 public:
  struct Options {
    std::size_t max_length = 4096;  // raised to 4 if smaller, so any UTF-8 character fits
    Duration idle_flush = std::chrono::milliseconds(250);
  };
  LineFramer() : LineFramer(Options{}) {}
  explicit LineFramer(Options options);

  std::vector<SerialLine> feed(Instant arrival, std::string_view bytes);
  // A partial line that has waited idle_flush since its last byte, if any.
  std::optional<SerialLine> flush_idle(Instant now);
  // Whatever is pending (port closed or detached). Forgets a half-seen CRLF too: the next bytes
  // belong to a new connection.
  std::optional<SerialLine> flush();
  bool pending() const { return !buffer_.empty(); }
  const Options& options() const { return options_; }

 private:
  void append(Instant arrival, std::string_view bytes, std::vector<SerialLine>& lines);
  void end_line(Instant arrival, std::vector<SerialLine>& lines);
  void cut(std::vector<SerialLine>& lines);
  SerialLine take(std::size_t length, bool partial);

  Options options_;
  std::string buffer_;  // raw bytes of the pending line
  Instant first_byte_;
  Instant last_byte_;
  bool last_was_cr_ = false;
  bool idle_flushed_ = false;  // the last line went out by flush_idle and nothing came since
  bool after_cut_ = false;     // the pending bytes continue a line cut at max_length
};

}  // namespace cyanrig
