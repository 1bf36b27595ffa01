// A run's results folder, written as the run goes so that a kill loses nothing already seen:
// events.jsonl grows by one write(2) per event (fsync'd at every step end and repeat end);
// summary.json exists from the start with status "running" (with the pid and host that run it) and
// is replaced atomically (write to a temporary file, fsync, rename) as repeats end and when the run
// finishes; junit.xml is written when the run ends. A folder whose summary still says "running"
// after its process died is an aborted run (repair_results_folder).
#pragma once

#include <filesystem>
#include <string>

#include "rig/results/run_result.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

class ResultsFolder {
 public:
  // Creates <root>/<UTC time>-<scenario>/ and writes summary.json as running. Throws
  // std::runtime_error naming the path that could not be created or written.
  ResultsFolder(const std::filesystem::path& root, const RunResult& header);
  ResultsFolder(const ResultsFolder&) = delete;
  ResultsFolder& operator=(const ResultsFolder&) = delete;
  ~ResultsFolder();

  const std::filesystem::path& dir() const { return dir_; }

  // Appends the event to events.jsonl. A write that fails is reported once (logger "results") and
  // then left alone: losing the log must not abort a run with outages in force.
  void write_event(const Event& e);
  // Forces what was written to events.jsonl onto the disk.
  void sync();
  // summary.json with the run so far (status running, or finished once result.finished).
  void write_summary(const RunResult& result);
  void write_junit(const RunResult& result);

 private:
  std::filesystem::path dir_;
  int events_fd_ = -1;
  bool events_failed_ = false;
};

// "running", "finished" or "aborted", from a results folder's summary.json; empty when it has none.
std::string results_status(const std::filesystem::path& dir);

// A folder left "running" by a process that no longer runs (killed, crashed, power lost): its
// results are folded again from events.jsonl and written with status "aborted", and junit.xml says
// the run was aborted (an infrastructure error). Returns a line saying what was done, or an empty
// string when the folder needed nothing (finished, or its run still going). Throws
// std::runtime_error when the folder cannot be read or written.
std::string repair_results_folder(const std::filesystem::path& dir);

// Repairs every folder under `root` that needs it; returns what was done, a line each.
std::vector<std::string> repair_results_under(const std::filesystem::path& root);

}  // namespace cyanrig
