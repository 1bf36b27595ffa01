#include "rig/core/process_identity.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "rig/core/text.hpp"

namespace cyanrig {
namespace {

std::string read_boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return std::string(trim(id));
}

// Field 22 of /proc/PID/stat. The command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so counting starts after the last ')'.
std::optional<std::uint64_t> start_ticks_of(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int number = 3; fields >> field; ++number) {  // fields after the name start at 3
    if (number != 22) continue;
    std::uint64_t ticks = 0;
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), ticks);
    if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
    return ticks;
  }
  return std::nullopt;
}

template <typename Number>
std::optional<Number> number_in(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

// Not cached whole: a process forked from this one (a test's child, a shell command) is another
// process, and must not claim to be this one. Only the boot id stays the same.
ProcessIdentity ProcessIdentity::self() {
  static const std::string kBootId = read_boot_id();
  const pid_t pid = ::getpid();
  return ProcessIdentity{pid, start_ticks_of(pid).value_or(0), kBootId};
}

std::optional<ProcessIdentity> ProcessIdentity::of_pid(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const auto ticks = start_ticks_of(pid);
  if (!ticks) return std::nullopt;
  return ProcessIdentity{pid, *ticks, self().boot_id};
}

bool ProcessIdentity::alive() const {
  if (boot_id != self().boot_id) return false;
  const auto now = of_pid(pid);
  return now && now->start_ticks == start_ticks;
}

std::string ProcessIdentity::to_text() const {
  return fmt::format("pid {} start {} boot {}", pid, start_ticks, boot_id);
}

std::optional<ProcessIdentity> ProcessIdentity::parse(std::string_view text) {
  std::istringstream words{std::string(text)};
  std::string pid_word, pid, start_word, start, boot_word, boot, extra;
  if (!(words >> pid_word >> pid >> start_word >> start >> boot_word >> boot) || (words >> extra)) {
    return std::nullopt;
  }
  if (pid_word != "pid" || start_word != "start" || boot_word != "boot") return std::nullopt;
  const auto pid_number = number_in<pid_t>(pid);
  const auto ticks = number_in<std::uint64_t>(start);
  if (!pid_number || *pid_number <= 0 || !ticks) return std::nullopt;
  return ProcessIdentity{*pid_number, *ticks, boot};
}

}  // namespace cyanrig
