#include "rig/results/serial_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "rig/core/component_log.hpp"
#include "rig/results/path_safe_name.hpp"

namespace cyanrig {

namespace {

std::string errno_text(int error) {
  return std::system_category().message(error);
}

std::runtime_error file_error(std::string_view what, const std::filesystem::path& path, int error) {
  return std::runtime_error(
      fmt::format("cannot {} serial log {}: {}", what, path.string(), errno_text(error)));
}

std::string_view without_line_ending(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

std::string one_line(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (const char c : without_line_ending(line)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string marker(std::string_view event, std::string_view detail) {
  if (detail.empty()) return fmt::format("--- serial {} ---", event);
  return fmt::format("--- serial {}: {} ---", event, one_line(detail));
}

}  // namespace

SerialLogFile::SerialLogFile(const std::filesystem::path& results_dir, std::string_view device)
    : path_(results_dir / "serial" / (path_safe_name(device) + ".log")) {
  std::error_code ec;
  std::filesystem::create_directories(path_.parent_path(), ec);
  if (ec) throw file_error("create the folder for", path_, ec.value());
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw file_error("open", path_, errno);
}

SerialLogFile::SerialLogFile(SerialLogFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

SerialLogFile& SerialLogFile::operator=(SerialLogFile&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

SerialLogFile::~SerialLogFile() {
  close();
}

void SerialLogFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SerialLogFile::write(Instant t, std::string_view line) {
  write_entry(t, one_line(line));
}

void SerialLogFile::mark_attached(Instant t, std::string_view detail) {
  write_entry(t, marker("attached", detail));
}

void SerialLogFile::mark_detached(Instant t, std::string_view detail) {
  write_entry(t, marker("detached", detail));
}

void SerialLogFile::write_entry(Instant t, std::string_view text) {
  if (fd_ < 0) throw std::logic_error("write to a moved-from SerialLogFile");
  // Width 10 keeps the column aligned up to 999999.999 s (11 days), like dmesg.
  const std::string entry = fmt::format("[{:10.3f}] {}\n", to_seconds(t.time_since_epoch()), text);
  // O_APPEND makes each write(2) land whole at the end; loop only for the rare short write.
  std::string_view rest = entry;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw file_error("write", path_, errno);
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

// ---- SerialLogFiles ----

namespace {

spdlog::logger& results_logger() {
  return component_log("results");
}

std::string data_text(const Event& e, const char* key) {
  if (!e.data.is_object()) return {};
  const auto it = e.data.find(key);
  return it != e.data.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

}  // namespace

SerialLogFiles::SerialLogFiles(Timeline& timeline, std::filesystem::path results_dir)
    : timeline_(timeline),
      results_dir_(std::move(results_dir)),
      listener_(timeline_.subscribe([this](const Event& e) { on_event(e); })) {}

SerialLogFiles::~SerialLogFiles() {
  timeline_.unsubscribe(listener_);
}

SerialLogFile* SerialLogFiles::file_for(const std::string& device) {
  if (broken_.contains(device)) return nullptr;
  if (const auto it = files_.find(device); it != files_.end()) return &it->second;
  return &files_.try_emplace(device, results_dir_, device).first->second;
}

void SerialLogFiles::on_event(const Event& e) {
  const bool line = e.kind == EventKind::serial;
  const bool link = e.kind == EventKind::serial_link;
  if ((!line && !link) || e.device.empty()) return;
  try {
    SerialLogFile* file = file_for(e.device);
    if (file == nullptr) return;
    if (line) {
      file->write(e.began(), data_text(e, "line"));  // first-byte arrival
    } else if (e.name == "attached") {
      file->mark_attached(e.t, data_text(e, "detail"));
    } else if (e.name == "detached") {
      file->mark_detached(e.t, data_text(e, "detail"));
    }
  } catch (const std::runtime_error& error) {
    results_logger().error("{}; no more serial log for {} in this run", error.what(), e.device);
    broken_.insert(e.device);
    files_.erase(e.device);
  }
}

}  // namespace cyanrig
