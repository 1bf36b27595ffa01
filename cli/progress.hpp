// What a person sees while a run goes: on a terminal a live table (device, step, LED state,
// elapsed), otherwise plain lines, one per step and failure, suitable for CI logs.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "rig/results/run_result.hpp"
#include "rig/scenario/scenario.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

class Progress {
 public:
  enum class Style { live, plain, quiet };
  Progress(Style style, std::FILE* out) : style_(style), out_(out) {}
  static Style style_for(std::FILE* out);  // live on a terminal, plain otherwise

  void attach(Timeline& timeline, const Scenario& scenario);
  void finish();

 private:
  struct Row {
    int repeat = 0;
    std::string step;
    std::string led;
    std::string verdict;
  };
  void on_event(const Event& e);
  void redraw(bool force);

  Style style_;
  std::FILE* out_;
  Instant last_event_;  // rig time of the latest event (the timeline is gone once the run ends)
  std::map<std::string, Row> rows_;
  std::vector<std::string> order_;
  std::size_t drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The verdict table printed when a run ends.
void print_verdict(std::FILE* out, const RunResult& result, const std::string& results_dir);

}  // namespace cyanrig
