#include "rig/results/results_folder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "rig/core/component_log.hpp"
#include "rig/results/events_reader.hpp"
#include "rig/results/result_fold.hpp"
#include "rig/results/writers.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;

spdlog::logger& results_log() {
  return component_log("results");
}

std::string errno_text() {
  return std::strerror(errno);
}

// Writes `path` through `write` so that a reader, a crash or a power cut sees either the old file or
// the whole new one: a temporary file in the same folder, fsync'd, then renamed over it. Streamed
// to the file, never held whole: summary.json of 64 devices x 1000 repeats is 26 MB of text.
void replace_file(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  const fs::path partial = fs::path(path).concat(".partial");
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}: {}", partial.string(), errno_text()));
    write(out);
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write {}: {}", partial.string(), errno_text()));
  }
  const int fd = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const std::string why = synced ? "" : errno_text();
  if (fd >= 0) ::close(fd);
  if (!synced) throw std::runtime_error(fmt::format("cannot write {}: {}", partial.string(), why));
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), ec.message()));
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

// When the process started, in clock ticks since boot (field 22 of /proc/<pid>/stat): with the pid it
// names one process, even after the pid is reused.
std::string process_start(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

// summary.json as the run stands; a running run's says who runs it, so a later command can tell a
// live run from one that died.
void write_current_summary(std::ostream& out, const RunResult& result) {
  nlohmann::ordered_json identity = nlohmann::ordered_json::object();
  if (!result.finished && !result.aborted) {
    identity["pid"] = ::getpid();
    identity["pid_start"] = process_start(::getpid());
    identity["host"] = host_name();
  }
  write_summary_json(result, out, identity);
}

}  // namespace

ResultsFolder::ResultsFolder(const fs::path& root, const RunResult& header)
    : dir_(make_results_dir(root, utc_compact(std::chrono::system_clock::now()), header.scenario)) {
  const fs::path events = dir_ / "events.jsonl";
  events_fd_ = ::open(events.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (events_fd_ < 0)
    throw std::runtime_error(fmt::format("cannot write {}: {}", events.string(), errno_text()));
  write_summary(header);
}

ResultsFolder::~ResultsFolder() {
  if (events_fd_ >= 0) ::close(events_fd_);
}

void ResultsFolder::write_event(const Event& e) {
  if (events_fd_ < 0 || events_failed_) return;
  std::ostringstream line;
  write_event_jsonl(e, line);
  const std::string text = line.str();
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(events_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      events_failed_ = true;
      results_log().error("cannot write {}: {}; the run goes on without its event log",
                          (dir_ / "events.jsonl").string(), errno_text());
      return;
    }
    done += static_cast<std::size_t>(n);
  }
}

void ResultsFolder::sync() {
  if (events_fd_ >= 0 && !events_failed_) ::fdatasync(events_fd_);
}

void ResultsFolder::write_summary(const RunResult& result) {
  replace_file(dir_ / "summary.json", [&](std::ostream& out) { write_current_summary(out, result); });
}

void ResultsFolder::write_junit(const RunResult& result) {
  replace_file(dir_ / "junit.xml", [&](std::ostream& out) { write_junit_xml(result, out); });
}

std::string results_status(const fs::path& dir) {
  std::ifstream in(dir / "summary.json");
  if (!in) return "";
  const auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() ? j.value("status", "finished") : "";
}

std::string repair_results_folder(const fs::path& dir) {
  std::ifstream in(dir / "summary.json");
  if (!in) throw std::runtime_error(fmt::format("{}: no summary.json: not a results folder", dir.string()));
  const auto summary = nlohmann::json::parse(in, nullptr, false);
  if (!summary.is_object())
    throw std::runtime_error(fmt::format("{}: summary.json is not JSON", dir.string()));
  if (summary.value("status", "finished") != "running") return "";
  const auto pid = summary.value("pid", 0);
  const std::string host = summary.value("host", "");
  if (host == host_name() && pid > 0 && ::kill(pid, 0) == 0 &&
      process_start(pid) == summary.value("pid_start", "")) {
    return "";  // still running
  }

  RunResult header;
  header.scenario = summary.value("scenario", "");
  header.rack = summary.value("rack", "");
  if (summary.contains("files") && summary["files"].is_object()) {
    header.scenario_file = summary["files"].value("scenario", "");
    header.rack_file = summary["files"].value("rack", "");
  }
  header.seed = summary.value("seed", std::uint64_t{0});
  header.simulated = summary.value("simulated", false);
  header.started_utc = summary.value("started_utc", "");
  header.repeats = summary.value("repeats", 1);
  ResultFold fold(header);
  Instant last{};
  read_events_jsonl(dir / "events.jsonl", [&](const Event& e) {
    fold.add(e);
    last = std::max(last, e.t);
  });
  RunResult result = std::move(fold).finish(to_seconds(last.time_since_epoch()), 0);
  result.finished = false;
  result.aborted = true;
  result.run_failures.push_back(Failure{
      .cls = FailureClass::infrastructure,
      .kind = "aborted",
      .message =
          fmt::format("the run (pid {} on {}) ended without finishing: killed, crashed or powered off; "
                      "it did not lift its outages or set the rack's safe power itself",
                      pid, host.empty() ? "?" : host),
      .t = last});
  replace_file(dir / "summary.json", [&](std::ostream& out) { write_current_summary(out, result); });
  replace_file(dir / "junit.xml", [&](std::ostream& out) { write_junit_xml(result, out); });
  return fmt::format("{}: marked aborted (its run, pid {} on {}, is gone)", dir.string(), pid, host);
}

std::vector<std::string> repair_results_under(const fs::path& root) {
  std::vector<std::string> done;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory(ec) || !fs::exists(entry.path() / "summary.json")) continue;
    try {
      if (std::string line = repair_results_folder(entry.path()); !line.empty())
        done.push_back(std::move(line));
    } catch (const std::exception& e) {
      results_log().warn("{}", e.what());
    }
  }
  return done;
}

}  // namespace cyanrig
