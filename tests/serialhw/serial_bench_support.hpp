// The 64-pty serial benchmark's shared parts (docs/benchmarks.md): the Device OS-format line the
// writer sends, which carries its port, sequence number and CLOCK_MONOTONIC send time, and the
// tally a reader keeps of what arrived (lost, reordered, delay percentiles). Not a test.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig::bench {

// Every line is this long with its CRLF, so a port's byte rate fixes its line rate.
inline constexpr std::size_t kLineBytes = 96;

struct BenchLine {
  int port = 0;
  std::uint64_t seq = 0;
  std::chrono::nanoseconds sent{};  // CLOCK_MONOTONIC when the writer sent it
};

// `0000012345 [system] INFO: bench port=07 seq=00000123 sent_ns=...... ....\r\n`
std::string format_line(const BenchLine& line, std::chrono::milliseconds uptime);
// The fields of one whole line as the writer sent it, without its line ending.
std::optional<BenchLine> parse_line(std::string_view text);

// "--name value" from the command line, or `fallback` when absent.
std::string option(int argc, char** argv, std::string_view name, std::string fallback);
// Writes `text` to a temporary file beside `file`, then renames it: a reader polling for `file`
// never sees half of it.
void publish(const std::filesystem::path& file, const std::string& text);

std::chrono::nanoseconds monotonic_now();
// CLOCK_REALTIME minus CLOCK_MONOTONIC now: turns a wall-clock stamp into the writer's clock.
std::chrono::nanoseconds realtime_minus_monotonic();

// How many lines the writer sent on each port, by port number ("port count" per line).
using SentCounts = std::map<int, std::uint64_t>;
std::optional<SentCounts> read_sent_counts(const std::filesystem::path& file);

// What a reader saw, across all ports.
class Tally {
 public:
  // `arrival` on the writer's clock (CLOCK_MONOTONIC).
  void line(std::string_view text, std::chrono::nanoseconds arrival);
  // A line without the reader's timestamp: counted, never timed.
  void unstamped() {
    ++received_;
    ++malformed_;
  }
  void partial() { ++partial_; }
  // True when every port has received, in order, as many lines as the writer sent.
  bool complete(const SentCounts& sent) const;
  // "key value" lines: sent, received, lost, reordered, malformed, delay percentiles.
  void print(const SentCounts& sent);

 private:
  struct Port {
    std::uint64_t next = 0;      // the sequence number expected next
    std::uint64_t in_order = 0;  // lines that arrived no earlier than expected
  };
  std::map<int, Port> ports_;
  std::uint64_t received_ = 0;
  std::uint64_t reordered_ = 0;  // a sequence number lower than one already seen
  std::uint64_t malformed_ = 0;
  std::uint64_t partial_ = 0;
  std::vector<std::int64_t> delays_us_;
};

}  // namespace cyanrig::bench
