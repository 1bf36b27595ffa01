#include "rig/lock/lock_holder.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <map>
#include <sstream>

#include "rig/core/duration_text.hpp"
#include "rig/core/text.hpp"

namespace cyanrig {
namespace {

std::string user_name() {
  const uid_t uid = ::geteuid();
  std::array<char, 1024> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return fmt::format("uid {}", uid);
}

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "?";
  return name.data();
}

std::string utc_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
}

// Values are one line each: a newline in a scenario name must not forge another field.
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

LockHolder LockHolder::self(std::string command, std::string scenario,
                            std::optional<Duration> yields_within) {
  return {ProcessIdentity::self(), user_name(), host_name(),  std::move(command),
          std::move(scenario),     utc_now(),   yields_within};
}

std::string LockHolder::to_text() const {
  std::string out = process.to_text() + "\n";
  out += fmt::format("user: {}\nhost: {}\ncommand: {}\n", one_line(user), one_line(host), one_line(command));
  if (!scenario.empty()) out += fmt::format("scenario: {}\n", one_line(scenario));
  out += fmt::format("since: {}\n", one_line(since));
  if (yields_within) out += fmt::format("yields_within: {}\n", format_duration(*yields_within));
  return out;
}

std::optional<LockHolder> LockHolder::parse(std::string_view text) {
  std::istringstream lines{std::string(text)};
  std::string first;
  if (!std::getline(lines, first)) return std::nullopt;
  const auto process = ProcessIdentity::parse(first);
  if (!process) return std::nullopt;
  std::map<std::string, std::string, std::less<>> fields;
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    fields[std::string(trim(std::string_view(line).substr(0, colon)))] =
        std::string(trim(std::string_view(line).substr(colon + 1)));
  }
  // A holder writes every field at once; a file without `since` was cut while being written.
  if (!fields.contains("command") || !fields.contains("since")) return std::nullopt;
  LockHolder holder{*process,           fields["user"],  fields["host"], fields["command"],
                    fields["scenario"], fields["since"], std::nullopt};
  if (const auto it = fields.find("yields_within"); it != fields.end()) {
    holder.yields_within = parse_duration(it->second).value;
    if (!holder.yields_within) return std::nullopt;
  }
  return holder;
}

std::string LockHolder::describe() const {
  const std::string what = scenario.empty() ? command : command + " " + scenario;
  return fmt::format("pid {} ({}@{}), `{}` since {}", process.pid, user, host, what, since);
}

}  // namespace cyanrig
