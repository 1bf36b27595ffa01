// The LED decoder accuracy benchmark's scoring (led_decoder_accuracy, docs/benchmarks.md): a trace's
// samples decoded as the engine feeds them, and what was reported against what the script showed.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/led/accuracy_traces.hpp"

namespace cyanrig::test {

struct Report {
  LedStateChange change;
  Instant emitted;  // time of the sample whose feed() returned it
};

// Sample by sample, so that each state's emission time is exact (the decoder gives the same states
// whatever the batches).
std::vector<Report> decode_with_emission_times(const std::vector<RgbSample>& samples,
                                               const LedDecoderOptions& options);
// Samples per second, fed in 200 ms batches as the colour sensors deliver them; best of `rounds`.
double decoding_speed(const std::vector<Trace>& traces, double rate_hz, int rounds);

struct ClassScore {
  int stretches = 0;
  int late = 0;                   // named after the allowance (or never)
  int missed = 0;                 // never named while it showed (or within its allowance after)
  Duration worst_emitted{0};      // latency by emission time
  Duration worst_recognised{0};   // latency by the state's own `recognised`
  Duration worst_start_error{0};  // |reported start - true start|
};

struct Score {
  std::size_t samples = 0;
  Duration judged{0}, judged_correct{0};  // outside the recognition windows
  Duration total{0}, total_correct{0};    // the whole trace
  std::map<PatternClass, ClassScore> classes;
  int sos = 0, sos_exact = 0;
  int flashes = 0, flashes_exact = 0;
  int reports = 0, wrong_reports = 0;  // states whose label the script never showed at their start
  std::map<std::string, Duration> wrong_by_state;  // judged time labelled wrongly, by the true state
  std::vector<std::string> problems;

  void add(const Score& o) {
    samples += o.samples;
    judged += o.judged;
    judged_correct += o.judged_correct;
    total += o.total;
    total_correct += o.total_correct;
    for (const auto& [kind, c] : o.classes) {
      ClassScore& mine = classes[kind];
      mine.stretches += c.stretches;
      mine.late += c.late;
      mine.missed += c.missed;
      mine.worst_emitted = std::max(mine.worst_emitted, c.worst_emitted);
      mine.worst_recognised = std::max(mine.worst_recognised, c.worst_recognised);
      mine.worst_start_error = std::max(mine.worst_start_error, c.worst_start_error);
    }
    sos += o.sos;
    sos_exact += o.sos_exact;
    flashes += o.flashes;
    flashes_exact += o.flashes_exact;
    reports += o.reports;
    for (const auto& [state, d] : o.wrong_by_state) wrong_by_state[state] += d;
    wrong_reports += o.wrong_reports;
    problems.insert(problems.end(), o.problems.begin(), o.problems.end());
  }
  double share() const { return judged.count() > 0 ? to_ms(judged_correct) / to_ms(judged) : 0; }
  double raw_share() const { return total.count() > 0 ? to_ms(total_correct) / to_ms(total) : 0; }
};

Score score_trace(const Trace& trace);

}  // namespace cyanrig::test
