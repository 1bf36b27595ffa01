#include "drivers/posix/shell_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <csignal>
#include <string_view>
#include <system_error>

#include "drivers/posix/file_descriptor.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

constexpr std::size_t kTailBytes = 4096;      // stderr kept while the command runs
constexpr std::size_t kTailLines = 3;         // lines of it quoted in an error message
constexpr std::size_t kTailMessageMax = 400;  // characters of it quoted, at most

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

// A descriptor that turns readable when `pid` exits. Called through syscall(): glibc 2.36's
// <sys/pidfd.h> declares pidfd_open without extern "C", so C++ cannot link against it.
int open_pidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// The rig's environment without the withheld variables (and never the Particle token), with
// `extra` laid over it, as "NAME=value" strings.
std::vector<std::string> child_environment(const CommandSpec& command) {
  const Environment& extra = command.environment;
  const auto withheld = [&](std::string_view name) {
    return std::any_of(std::begin(kNeverPassedVariables), std::end(kNeverPassedVariables),
                       [&](std::string_view never) { return never == name; }) ||
           std::find(command.withheld.begin(), command.withheld.end(), name) != command.withheld.end();
  };
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    const bool replaced =
        std::any_of(extra.begin(), extra.end(), [&](const auto& kv) { return kv.first == name; });
    if (!replaced && !withheld(name)) out.emplace_back(text);
  }
  for (const auto& [name, value] : extra) {
    if (!withheld(name)) out.push_back(name + "=" + value);
  }
  return out;
}

// posix_spawn's attribute and file-action objects, destroyed with the scope.
struct SpawnSetup {
  posix_spawnattr_t attr{};
  posix_spawn_file_actions_t actions{};
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// Starts /bin/sh -c TEXT with stdin and stdout on /dev/null and stderr into `stderr_fd`, as the
// leader of a new process group (so a timeout can kill everything it started, and Ctrl-C at the
// rig's terminal does not kill a relay command half-way: the rig decides, then drives safe power).
// Returns the pid, or -errno.
pid_t spawn_shell(const CommandSpec& command, int stderr_fd) {
  SpawnSetup setup;
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&setup.attr, &signals);
  sigfillset(&signals);  // whatever the rig ignores (SIGPIPE), the command gets the defaults
  posix_spawnattr_setsigdefault(&setup.attr, &signals);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, stderr_fd, STDERR_FILENO);
  // Serial ports, sockets and pidfds of the rig stay with the rig.
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);

  std::vector<std::string> environment = child_environment(command);
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", dash_c = "-c", text = command.text;
  std::array<char*, 4> argv{shell.data(), dash_c.data(), text.data(), nullptr};

  pid_t pid = -1;
  const int error = posix_spawn(&pid, shell.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  return error == 0 ? pid : -error;
}

// The last few non-empty lines of what the command wrote to stderr, on one line.
std::string tail_lines(std::string_view captured) {
  std::vector<std::string_view> lines;
  while (!captured.empty()) {
    const auto end = captured.find('\n');
    std::string_view line = captured.substr(0, end);
    captured = end == std::string_view::npos ? std::string_view{} : captured.substr(end + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
  }
  std::string out;
  const std::size_t first = lines.size() > kTailLines ? lines.size() - kTailLines : 0;
  for (std::size_t i = first; i < lines.size(); ++i)
    out += fmt::format("{}{}", out.empty() ? "" : " | ", lines[i]);
  if (out.size() > kTailMessageMax) out = "..." + out.substr(out.size() - kTailMessageMax);
  return out;
}

CommandResult result_of_wait_status(int status, bool timed_out) {
  CommandResult result;
  if (WIFEXITED(status)) {
    result.ending = CommandResult::Ending::exited;
    result.code = WEXITSTATUS(status);
  } else {
    result.ending = timed_out ? CommandResult::Ending::timed_out : CommandResult::Ending::killed;
    result.code = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return result;
}

}  // namespace

std::string describe_ending(const CommandResult& result, Duration timeout) {
  const std::string tail = result.stderr_tail.empty() ? "" : ": " + result.stderr_tail;
  switch (result.ending) {
    case CommandResult::Ending::exited:
      return fmt::format("exited {}{}", result.code, tail);
    case CommandResult::Ending::timed_out:
      return fmt::format("timed out after {}{}", format_duration(timeout), tail);
    case CommandResult::Ending::killed:
      return fmt::format("was killed by signal {}{}", result.code, tail);
    case CommandResult::Ending::lost:
      return "ended, but its exit status was lost (something else in the rig reaped it)";
    case CommandResult::Ending::not_started:
      break;
  }
  return fmt::format("could not start: {}", errno_text(result.code));
}

// The running command, owned jointly by its ShellCommand handle and the loop's pending handlers.
struct ShellCommand::Child : std::enable_shared_from_this<ShellCommand::Child> {
  using Descriptor = boost::asio::posix::stream_descriptor;

  Child(Clock& c, Finished f) : clock(c), exit_watch(c.io()), errors(c.io()), finished(std::move(f)) {}

  Clock& clock;
  pid_t pid = -1;         // until reaped
  Descriptor exit_watch;  // pidfd: readable once the shell has exited
  Descriptor errors;      // read end of the command's stderr
  std::array<char, 512> chunk{};
  std::string captured;  // the last kTailBytes of stderr
  Timer deadline;
  bool timed_out = false;
  bool exited = false;
  Finished finished;  // empty once reported or abandoned

  void start(const CommandSpec& command);
  void read_errors();
  void keep(std::string_view bytes);
  void on_exit();
  void drain_errors();
  void report(const CommandResult& result);
  void not_started(int error);
  void kill_and_reap();
  void abandon();
};

void ShellCommand::Child::start(const CommandSpec& command) {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) return not_started(errno);
  FileDescriptor read_end(pipe_fds[0]);  // until handed to an asio descriptor (release)
  const FileDescriptor write_end(pipe_fds[1]);
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);

  const pid_t spawned = spawn_shell(command, write_end.get());
  if (spawned < 0) return not_started(-spawned);
  pid = spawned;
  FileDescriptor pidfd(open_pidfd(pid));
  if (!pidfd) {
    const int error = errno;
    kill_and_reap();  // it cannot be watched without blocking the loop, so it must not run unwatched
    return not_started(error);
  }
  exit_watch.assign(pidfd.release());
  errors.assign(read_end.release());

  auto self = shared_from_this();
  exit_watch.async_wait(Descriptor::wait_read, [self](const boost::system::error_code& ec) {
    if (!ec) self->on_exit();
  });
  read_errors();
  deadline = clock.after(command.timeout, [weak = std::weak_ptr<Child>(self)] {
    const auto child = weak.lock();
    if (!child || child->pid < 0) return;
    child->timed_out = true;
    ::kill(-child->pid, SIGKILL);  // the whole group: a hung `ssh pdu ...` and anything it started
  });
}

// Keeps the pipe drained while the command runs, so a chatty command never blocks on a full pipe.
void ShellCommand::Child::read_errors() {
  errors.async_read_some(boost::asio::buffer(chunk),
                         [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                           self->keep(std::string_view(self->chunk.data(), n));
                           if (!ec && !self->exited) self->read_errors();
                         });
}

void ShellCommand::Child::keep(std::string_view bytes) {
  captured.append(bytes);
  if (captured.size() > kTailBytes) captured.erase(0, captured.size() - kTailBytes);
}

void ShellCommand::Child::on_exit() {
  int status = 0;
  const pid_t reaped = ::waitpid(pid, &status, WNOHANG);  // the pidfd says it has exited: no wait
  if (reaped == 0) {
    exit_watch.async_wait(Descriptor::wait_read,
                          [self = shared_from_this()](const boost::system::error_code& ec) {
                            if (!ec) self->on_exit();
                          });
    return;
  }
  pid = -1;
  exited = true;
  deadline.cancel();
  boost::system::error_code ignored;
  exit_watch.close(ignored);
  CommandResult result = result_of_wait_status(status, timed_out);
  if (reaped < 0) result = {.ending = CommandResult::Ending::lost};
  // A read already completed is queued ahead of this post; a read still waiting is aborted without
  // taking bytes. So the drain below continues exactly where the last chunk ended.
  errors.cancel(ignored);
  boost::asio::post(clock.io(), [self = shared_from_this(), result = std::move(result)]() mutable {
    self->drain_errors();
    result.stderr_tail = tail_lines(self->captured);
    result.stderr_text = self->captured;
    self->report(result);
  });
}

// What the shell wrote just before exiting; a background process still holding the pipe is not
// waited for.
void ShellCommand::Child::drain_errors() {
  if (!errors.is_open()) return;
  ssize_t n = 0;
  while ((n = ::read(errors.native_handle(), chunk.data(), chunk.size())) > 0) {
    keep(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
  }
  boost::system::error_code ignored;
  errors.close(ignored);
}

void ShellCommand::Child::report(const CommandResult& result) {
  Finished done = std::exchange(finished, nullptr);
  if (done) done(result);
}

void ShellCommand::Child::not_started(int error) {
  boost::asio::post(clock.io(), [self = shared_from_this(), error] {
    self->report({.ending = CommandResult::Ending::not_started, .code = error});
  });
}

void ShellCommand::Child::kill_and_reap() {
  if (pid <= 0) return;
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);  // prompt after SIGKILL; leaves no zombie behind
  pid = -1;
}

void ShellCommand::Child::abandon() {
  finished = nullptr;
  deadline.cancel();
  kill_and_reap();
  exited = true;
  boost::system::error_code ignored;
  exit_watch.close(ignored);
  errors.close(ignored);
}

ShellCommand ShellCommand::start(Clock& clock, const CommandSpec& command, Finished finished) {
  auto child = std::make_shared<Child>(clock, std::move(finished));
  child->start(command);
  return ShellCommand(std::move(child));
}

ShellCommand& ShellCommand::operator=(ShellCommand&& other) noexcept {
  if (this != &other) {
    abandon();
    child_ = std::move(other.child_);
  }
  return *this;
}

bool ShellCommand::running() const {
  return child_ && child_->finished != nullptr;
}

void ShellCommand::abandon() {
  if (child_) child_->abandon();
  child_.reset();
}
}  // namespace cyanrig
