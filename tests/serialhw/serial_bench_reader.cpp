// The reading side of the serial benchmark (docs/benchmarks.md), in one of two modes:
//
//   serial_bench_reader --ptys DIR/ptys.txt --sent DIR/sent.txt [--max-wait 120]
//     cyanrig itself: every slave path through the `tty` backend on one steady clock loop, each
//     port's bytes through a LineFramer, as a run records a device's serial log. Stops when every
//     port has all the lines the writer says it sent (or 3 s after the writer finished, or at
//     --max-wait) and prints the tally plus its own CPU time and peak RSS.
//   serial_bench_reader --grabserial-logs DIR --sent DIR/sent.txt
//     tallies grabserial's output files (DIR/*.log, written with -T -F '%s.%f' -n), whose stamps
//     are wall-clock time and are moved onto CLOCK_MONOTONIC with today's offset.
//
// Delay is host arrival (first byte of the line) minus the send time the writer embedded.
#include <fmt/format.h>
#include <sys/resource.h>

#include <fstream>
#include <memory>
#include <vector>

#include "drivers/serial/tty/tty_port.hpp"
#include "rig/clock.hpp"
#include "rig/serial/line_framer.hpp"
#include "serial_bench_support.hpp"

namespace cyanrig::bench {
namespace {

using std::chrono::nanoseconds;

// After the writer reports done, how long lines still in flight may take.
constexpr Duration kGrace = std::chrono::seconds(3);
constexpr Duration kCheckEvery = std::chrono::milliseconds(100);

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// One device's serial port as the rig reads it: tty backend, then framing.
struct ReadPort {
  std::unique_ptr<SerialPort> port;
  LineFramer framer;
};

class LiveReader {
 public:
  LiveReader(const std::filesystem::path& ptys, std::filesystem::path sent_file, Duration max_wait)
      : clock_(make_steady_clock()),
        sent_file_(std::move(sent_file)),
        max_wait_(max_wait),
        reference_instant_(clock_->now()),
        reference_monotonic_(monotonic_now()) {
    std::ifstream in(ptys);
    int number = 0;
    std::string path;
    while (in >> number >> path)
      ports_.push_back({.port = make_tty_port(*clock_, {.path = path}), .framer = {}});
  }

  void run() {
    for (ReadPort& port : ports_) port.port->open(listener(port));
    check_ = clock_->after(kCheckEvery, [this] { check(); });
    clock_->run();
    for (ReadPort& port : ports_) port.port->close();
  }

  void print() {
    tally_.print(sent_.value_or(SentCounts{}));
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double cpu = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
    const double active = to_seconds(last_line_ - first_bytes_.value_or(last_line_));
    fmt::print("detaches {}\ncpu_s {:.2f}\ncpu_pct_of_core {:.1f}\npeak_rss_mb {:.1f}\n", detaches_, cpu,
               active > 0 ? 100.0 * cpu / active : 0.0, static_cast<double>(usage.ru_maxrss) / 1024.0);
  }

 private:
  SerialPort::Listener listener(ReadPort& port) {
    return {.on_bytes =
                [this, &port](Instant arrival, std::string_view bytes) {
                  if (!first_bytes_) first_bytes_ = arrival;
                  for (const SerialLine& line : port.framer.feed(arrival, bytes)) record(line);
                },
            .on_link =
                [this, &port](bool attached, const std::string&) {
                  if (attached) return;
                  ++detaches_;
                  if (auto rest = port.framer.flush()) record(*rest);
                }};
  }

  void record(const SerialLine& line) {
    if (line.partial) tally_.partial();
    tally_.line(line.text, reference_monotonic_ + (line.t - reference_instant_));
    last_line_ = line.t;
  }

  void check() {
    const Instant now = clock_->now();
    if (!sent_ && std::filesystem::exists(sent_file_)) {
      sent_ = read_sent_counts(sent_file_);
      writer_done_ = now;
    }
    const bool finished = sent_ && (tally_.complete(*sent_) || now - writer_done_ > kGrace);
    if (finished || now - reference_instant_ > max_wait_) return clock_->stop();
    check_ = clock_->after(kCheckEvery, [this] { check(); });
  }

  std::unique_ptr<Clock> clock_;
  std::filesystem::path sent_file_;
  Duration max_wait_;
  Instant reference_instant_;        // this instant on the run's clock ...
  nanoseconds reference_monotonic_;  // ... is this CLOCK_MONOTONIC time
  std::vector<ReadPort> ports_;
  Tally tally_;
  std::optional<SentCounts> sent_;
  Instant writer_done_;
  std::optional<Instant> first_bytes_;
  Instant last_line_;
  int detaches_ = 0;
  Timer check_;
};

// "[1700000000.123456] text": grabserial's -T stamp as wall-clock nanoseconds, and the text.
std::optional<std::pair<nanoseconds, std::string_view>> split_stamp(std::string_view line) {
  const auto dot = line.find('.');
  const auto close = line.find("] ");
  if (line.empty() || line.front() != '[' || dot == std::string_view::npos ||
      close == std::string_view::npos || dot > close)
    return std::nullopt;
  const std::string whole(line.substr(1, dot - 1));
  std::string micros(line.substr(dot + 1, close - dot - 1));
  micros.resize(6, '0');
  const nanoseconds stamp =
      std::chrono::seconds(std::stoll(whole)) + std::chrono::microseconds(std::stoll(micros));
  return std::pair{stamp, line.substr(close + 2)};
}

void tally_grabserial(const std::filesystem::path& logs, const std::filesystem::path& sent_file) {
  const nanoseconds wall_minus_monotonic = realtime_minus_monotonic();
  Tally tally;
  for (const auto& entry : std::filesystem::directory_iterator(logs)) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (const auto stamped = split_stamp(line))
        tally.line(stamped->second, stamped->first - wall_minus_monotonic);
      else
        tally.unstamped();
    }
  }
  tally.print(read_sent_counts(sent_file).value_or(SentCounts{}));
}

int run(int argc, char** argv) {
  const std::string sent = option(argc, argv, "--sent", "sent.txt");
  const std::string logs = option(argc, argv, "--grabserial-logs", "");
  if (!logs.empty()) {
    tally_grabserial(logs, sent);
    return 0;
  }
  const auto max_wait = std::chrono::seconds(std::stoi(option(argc, argv, "--max-wait", "120")));
  LiveReader reader(option(argc, argv, "--ptys", "ptys.txt"), sent, max_wait);
  reader.run();
  reader.print();
  return 0;
}

}  // namespace
}  // namespace cyanrig::bench

int main(int argc, char** argv) {
  try {
    return cyanrig::bench::run(argc, argv);
  } catch (const std::exception& error) {
    fmt::print(stderr, "serial_bench_reader: {}\n", error.what());
    return 1;
  }
}
