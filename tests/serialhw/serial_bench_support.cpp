#include "serial_bench_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>

namespace cyanrig::bench {
namespace {

std::chrono::nanoseconds read_clock(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

template <typename Int>
std::optional<Int> field(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = text.data() + at + key.size();
  Int value{};
  const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
  if (error != std::errc{} || end == first) return std::nullopt;
  return value;
}

double percentile_ms(const std::vector<std::int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0.0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return static_cast<double>(sorted[index]) / 1000.0;
}

}  // namespace

std::string format_line(const BenchLine& line, std::chrono::milliseconds uptime) {
  std::string text = fmt::format("{:010} [system] INFO: bench port={:02} seq={:08} sent_ns={:019} ",
                                 uptime.count(), line.port, line.seq, line.sent.count());
  text.resize(kLineBytes - 2, '.');
  text += "\r\n";
  return text;
}

std::optional<BenchLine> parse_line(std::string_view text) {
  // The writer's lines have one length: anything else is a line cut short or run together.
  if (text.size() != kLineBytes - 2) return std::nullopt;
  const auto port = field<int>(text, "port=");
  const auto seq = field<std::uint64_t>(text, "seq=");
  const auto sent = field<std::int64_t>(text, "sent_ns=");
  if (!port || !seq || !sent) return std::nullopt;
  return BenchLine{.port = *port, .seq = *seq, .sent = std::chrono::nanoseconds(*sent)};
}

std::string option(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

void publish(const std::filesystem::path& file, const std::string& text) {
  const std::filesystem::path temporary = file.string() + ".tmp";
  std::ofstream(temporary) << text;
  std::filesystem::rename(temporary, file);
}

std::chrono::nanoseconds monotonic_now() {
  return read_clock(CLOCK_MONOTONIC);
}

std::chrono::nanoseconds realtime_minus_monotonic() {
  return read_clock(CLOCK_REALTIME) - read_clock(CLOCK_MONOTONIC);
}

std::optional<SentCounts> read_sent_counts(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  SentCounts sent;
  int port = 0;
  std::uint64_t count = 0;
  while (in >> port >> count) sent[port] = count;
  return sent;
}

void Tally::line(std::string_view text, std::chrono::nanoseconds arrival) {
  ++received_;
  const auto parsed = parse_line(text);
  if (!parsed) {
    ++malformed_;
    return;
  }
  Port& port = ports_[parsed->port];
  if (parsed->seq < port.next) {
    ++reordered_;
  } else {
    port.next = parsed->seq + 1;
    ++port.in_order;
  }
  delays_us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(arrival - parsed->sent).count());
}

bool Tally::complete(const SentCounts& sent) const {
  return std::all_of(sent.begin(), sent.end(), [this](const auto& entry) {
    const auto port = ports_.find(entry.first);
    return port != ports_.end() && port->second.in_order >= entry.second;
  });
}

void Tally::print(const SentCounts& sent) {
  std::uint64_t total_sent = 0;
  std::uint64_t lost = 0;
  for (const auto& [number, count] : sent) {
    total_sent += count;
    const auto port = ports_.find(number);
    const std::uint64_t got = port == ports_.end() ? 0 : port->second.in_order;
    lost += count > got ? count - got : 0;
  }
  std::sort(delays_us_.begin(), delays_us_.end());
  fmt::print("ports {}\n", sent.size());
  fmt::print("lines_sent {}\nlines_received {}\nlost {}\nreordered {}\nmalformed {}\npartial {}\n",
             total_sent, received_, lost, reordered_, malformed_, partial_);
  fmt::print("delay_p50_ms {:.3f}\ndelay_p99_ms {:.3f}\ndelay_max_ms {:.3f}\n",
             percentile_ms(delays_us_, 0.50), percentile_ms(delays_us_, 0.99),
             percentile_ms(delays_us_, 1.0));
}

}  // namespace cyanrig::bench
