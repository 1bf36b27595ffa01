// One shell command run without blocking the loop: `/bin/sh -c TEXT`, in a process group of its
// own, with its exit watched on the run's io_context, the tail of its stderr kept for the error
// message, and the whole group killed if it overruns its timeout.
//
// The exit is watched through a pidfd (Linux 5.3+; Debian 12 and Raspberry Pi OS bookworm ship 6.1),
// not through a pipe the child holds open: a command that leaves something running in the background
// (`smartplug-daemon &`) hands such a pipe on, and it would only close when that process does. The
// pidfd turns readable exactly when the shell itself exits.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rig/clock.hpp"

namespace cyanrig {

// Variables set for the command, on top of (or replacing) the rig's own environment.
using Environment = std::vector<std::pair<std::string, std::string>>;

// Never in a command's environment, whatever a rack says: the Particle access token
// (drivers/cloud/particle/access_token.hpp reads it from the rig's own environment).
inline constexpr const char* kNeverPassedVariables[] = {"PARTICLE_ACCESS_TOKEN"};

struct CommandSpec {
  std::string text;  // run as /bin/sh -c TEXT
  Environment environment;
  Duration timeout{};
  // Variables of the rig's environment the command must not see: the rack's `secret_env` less what
  // its backend passes on (`pass_env`). kNeverPassedVariables are left out whatever this says.
  std::vector<std::string> withheld;
};

struct CommandResult {
  enum class Ending {
    exited,       // code = exit status
    killed,       // code = signal number (killed by someone else)
    timed_out,    // killed by us after the timeout
    not_started,  // code = errno
    lost,         // ended, but something else reaped it (SIGCHLD ignored process-wide): status unknown
  };
  Ending ending = Ending::not_started;
  int code = 0;
  std::string stderr_tail;  // the last lines the command wrote to stderr, joined by " | "
  std::string stderr_text;  // the last 4 kB it wrote to stderr, as written (for callers that read it)

  bool exited_with(int status) const { return ending == Ending::exited && code == status; }
};

// What went wrong, for an error message: "exited 1: <stderr tail>", "timed out after 10s",
// "was killed by signal 9", "could not start: <reason>", "ended, but its exit status was lost ...".
std::string describe_ending(const CommandResult& result, Duration timeout);

class ShellCommand {
 public:
  using Finished = std::function<void(const CommandResult&)>;

  ShellCommand() = default;
  // Starts `command`. `finished` runs on the clock's loop once the command has exited, been killed
  // after its timeout, or failed to start; never inside start(). Needs the steady clock: the virtual
  // clock would jump straight to the timeout, since it never waits for real I/O.
  static ShellCommand start(Clock& clock, const CommandSpec& command, Finished finished);

  ShellCommand(ShellCommand&& other) noexcept = default;
  ShellCommand& operator=(ShellCommand&& other) noexcept;
  ShellCommand(const ShellCommand&) = delete;
  ShellCommand& operator=(const ShellCommand&) = delete;
  // A command still running is killed with its whole process group and reaped; `finished` is not
  // called.
  ~ShellCommand() { abandon(); }

  // True from start() until `finished` has been called (or the command abandoned).
  bool running() const;

 private:
  struct Child;
  explicit ShellCommand(std::shared_ptr<Child> child) : child_(std::move(child)) {}
  void abandon();

  // Shared with the loop's pending handlers, which may outlive this handle by a turn of the loop.
  std::shared_ptr<Child> child_;
};

}  // namespace cyanrig
