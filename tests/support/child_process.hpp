// A child process (fork) that runs a body and reports one line through a pipe, then holds whatever
// it took until it is killed: locks held by another process behave exactly as between two cyanrig
// commands.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>
#include <stdexcept>
#include <string>

namespace cyanrig::test {

class Child {
 public:
  explicit Child(const std::function<std::string()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[0]);
      const std::string line = body() + "\n";
      if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(2);
      ::pause();  // until killed: whatever it holds, it holds until then
      ::_exit(0);
    }
    ::close(fds[1]);
    read_fd_ = fds[0];
  }
  ~Child() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    ::close(read_fd_);
  }
  pid_t pid() const { return pid_; }
  // The line the child reported (blocks until it does).
  std::string report() const {
    std::string line;
    char c = 0;
    while (::read(read_fd_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
};

}  // namespace cyanrig::test
