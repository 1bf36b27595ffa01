#include "drivers/outage/common/command_queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

namespace cyanrig {
namespace {

// Creates a private temporary file holding `content`: its path, or -errno.
std::variant<std::string, int> make_temp_file(std::string_view content) {
  std::string path = (std::filesystem::temp_directory_path() / "cyanrig-outage-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return -errno;
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return -error;
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return path;
}

std::string read_and_remove(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  ::unlink(path.c_str());
  return text.str();
}

bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       std::string_view("_-./:=@%+,").find(c) != std::string_view::npos;
    if (!plain) return true;
  }
  return false;
}

}  // namespace

std::string shell_quote(std::string_view text) {
  if (!needs_quotes(text)) return std::string(text);
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";  // close the quote, an escaped quote, reopen
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string tool_command_line(const std::string& netns, const std::vector<std::string>& argv) {
  std::string out = netns.empty() ? "" : "ip netns exec " + shell_quote(netns);
  for (const std::string& arg : argv) out += (out.empty() ? "" : " ") + shell_quote(arg);
  return out;
}

void CommandQueue::run(QueuedCommand command, Finished finished) {
  run_prepared([command = std::move(command)] { return command; }, std::move(finished));
}

void CommandQueue::run_prepared(Prepare prepare, Finished finished) {
  queue_.push_back({std::move(prepare), std::move(finished)});
  if (!busy_) start_front();
}

void CommandQueue::start_front() {
  busy_ = true;
  QueuedCommand command = queue_.front().prepare();
  keep_output_ = command.keep_output;
  std::string redirects;
  const auto temp_file = [&](std::string_view content, std::string& path) {
    auto made = make_temp_file(content);
    if (const int* error = std::get_if<int>(&made)) return -*error;
    path = std::get<std::string>(made);
    return 0;
  };
  int error = 0;
  if (command.input) {
    error = temp_file(*command.input, input_path_);
    redirects += " <" + shell_quote(input_path_);
  }
  if (error == 0 && command.keep_output) {
    error = temp_file("", output_path_);
    redirects += " >" + shell_quote(output_path_);
  }
  if (error != 0) {
    boost::asio::post(clock_.io(), [this, alive = std::weak_ptr<const bool>(alive_), error] {
      if (!alive.expired()) on_finished({.ending = CommandResult::Ending::not_started, .code = error});
    });
    return;
  }
  if (!redirects.empty()) command.spec.text = "exec" + redirects + "; " + command.spec.text;
  current_ = ShellCommand::start(clock_, command.spec, [this](const CommandResult& r) { on_finished(r); });
}

void CommandQueue::on_finished(const CommandResult& result) {
  CommandOutput output{.result = result, .output = read_and_remove(output_path_)};
  if (!keep_output_) output.output.clear();
  read_and_remove(input_path_);
  input_path_.clear();
  output_path_.clear();
  Entry done = std::move(queue_.front());
  queue_.pop_front();
  busy_ = false;
  // The callback may queue more, or destroy this queue along with its owner.
  const std::weak_ptr<const bool> alive = alive_;
  done.finished(output);
  if (!alive.expired() && !busy_ && !queue_.empty()) start_front();
}

CommandQueue::~CommandQueue() {
  current_ = ShellCommand();
  read_and_remove(input_path_);
  read_and_remove(output_path_);
}

}  // namespace cyanrig
