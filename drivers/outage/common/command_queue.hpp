// The system tools the outage backends drive (nft, tc, ip, the user's own commands), run one at a
// time in the order asked, off the loop, through ShellCommand.
//
// One at a time matters: a stop asked while a start is still loading must land after it, or the
// outage would be lifted first and then put back. Each command is built only when its turn comes
// (Prepare), so it sees the state left by the ones before it.
//
// ShellCommand keeps a command's stdout on /dev/null and its stdin empty. The tools here need both
// (`nft -f` reads a rule set, `nft -j list` prints JSON), so a queued command may have its input and
// output go through private temporary files: `exec <IN >OUT; TEXT`. Both are small and local, so
// writing and reading them on the loop costs microseconds.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/posix/lifetime.hpp"
#include "drivers/posix/shell_command.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

// `text` quoted for /bin/sh when it needs it: wlan0 stays wlan0, "my ns" becomes 'my ns'.
std::string shell_quote(std::string_view text);

// A tool's command line, run inside network namespace `netns` when one is given:
// {"nft", "-f", "x"} in "lab" -> "ip netns exec lab nft -f x".
std::string tool_command_line(const std::string& netns, const std::vector<std::string>& argv);

struct QueuedCommand {
  CommandSpec spec;
  std::optional<std::string> input;  // given to the command as its stdin
  bool keep_output = false;          // stdout kept in CommandOutput::output
};

struct CommandOutput {
  CommandResult result;
  std::string output;  // stdout, when kept
};

class CommandQueue {
 public:
  using Prepare = std::function<QueuedCommand()>;
  using Finished = std::function<void(const CommandOutput&)>;

  explicit CommandQueue(Clock& clock) : clock_(clock) {}
  CommandQueue(const CommandQueue&) = delete;
  CommandQueue& operator=(const CommandQueue&) = delete;
  // A command still running is killed; nothing queued runs and no callback is called.
  ~CommandQueue();

  // `finished` runs on the loop once the command has ended; never inside run().
  void run(QueuedCommand command, Finished finished);
  // As run(), with the command built when its turn comes.
  void run_prepared(Prepare prepare, Finished finished);

  Clock& clock() const { return clock_; }

 private:
  struct Entry {
    Prepare prepare;
    Finished finished;
  };
  void start_front();
  void on_finished(const CommandResult& result);

  Clock& clock_;
  std::deque<Entry> queue_;  // front: running now
  std::string input_path_;   // the running command's temporary files, removed when it ends
  std::string output_path_;
  bool keep_output_ = false;
  bool busy_ = false;
  ShellCommand current_;
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);  // for callbacks that outlive us
};

}  // namespace cyanrig
