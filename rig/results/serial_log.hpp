// Each device's serial output as the rig received it: <results>/serial/<device>.log, one line per
// entry, "[    12.345] <line>" with seconds since run start.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

// Move-only owner of one open log file. Every entry goes to the kernel with a single write(2), so
// a crash or kill of the rig loses nothing already received.
class SerialLogFile {
 public:
  // Opens <results_dir>/serial/<device>.log for append, creating the serial/ folder if needed. The
  // device name is made safe for a path (path_safe_name). Throws std::runtime_error naming the
  // path and the system's reason.
  SerialLogFile(const std::filesystem::path& results_dir, std::string_view device);
  SerialLogFile(SerialLogFile&& other) noexcept;
  SerialLogFile& operator=(SerialLogFile&& other) noexcept;
  SerialLogFile(const SerialLogFile&) = delete;
  SerialLogFile& operator=(const SerialLogFile&) = delete;
  ~SerialLogFile();

  // "[<t>] <line>\n". A trailing CR/LF is dropped; CR or LF inside the line are written as "\r" and
  // "\n" so one entry stays one line. Other bytes are kept as the device sent them.
  // Throws std::runtime_error naming the path when the write fails (disk full, ...).
  void write(Instant t, std::string_view line);
  // "[<t>] --- serial attached ---" / "--- serial detached: <detail> ---": the port came back or
  // vanished (reset, power loss, sleep, DFU), so gaps in the log are explained.
  void mark_attached(Instant t, std::string_view detail = {});
  void mark_detached(Instant t, std::string_view detail = {});

  const std::filesystem::path& path() const { return path_; }

 private:
  void write_entry(Instant t, std::string_view text);
  void close();

  std::filesystem::path path_;
  int fd_ = -1;
};

// Keeps a SerialLogFile per device up to date from the timeline: every `serial` event (data.line)
// and `serial_link` event ("attached" / "detached", optional data.detail) is written as it is
// recorded. Subscribes on construction, unsubscribes on destruction; not movable because the
// timeline holds a callback to it. A log file that cannot be opened or written is reported once
// (logger "results") and then left alone: losing a log must not abort a run on real hardware.
class SerialLogFiles {
 public:
  SerialLogFiles(Timeline& timeline, std::filesystem::path results_dir);
  SerialLogFiles(const SerialLogFiles&) = delete;
  SerialLogFiles& operator=(const SerialLogFiles&) = delete;
  ~SerialLogFiles();

 private:
  void on_event(const Event& e);
  SerialLogFile* file_for(const std::string& device);

  Timeline& timeline_;
  std::filesystem::path results_dir_;
  Timeline::ListenerId listener_;
  std::map<std::string, SerialLogFile, std::less<>> files_;
  std::set<std::string, std::less<>> broken_;  // devices whose log failed once
};

}  // namespace cyanrig
