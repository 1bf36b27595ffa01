// `cyanrig sim serve --write-rack` as a child process for end-to-end tests, killed if the test ends
// without stopping it, and `cyanrig run` against the rack file it wrote.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace cyanrig::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& dir, const std::filesystem::path& rack)
      : out_(dir / "serve.out"), err_(dir / "serve.err") {
    pid_ = ::fork();
    if (pid_ != 0) return;
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    ::execl(CYANRIG_BINARY, CYANRIG_BINARY, "sim", "serve", "--write-rack", rack.c_str(), "--seed", "3",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ~ServeProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  // Waits until the rack file exists (the server is ready); false if it did not within `limit`.
  bool wait_for_rack(const std::filesystem::path& rack, std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!std::filesystem::exists(rack) && running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::filesystem::exists(rack);
  }
  // SIGTERM, then the exit status once it has stopped (-1 if it did not within `limit`).
  int terminate(std::chrono::milliseconds limit) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string out() const { return slurp(out_); }
  std::string err() const { return slurp(err_); }

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
};

// Runs a shell command line with the cyanrig binary, from the source folder; its exit status. Tests
// of one program run in parallel on racks of the same name: each test process locks in a folder of
// its own, under the program's (tests/CMakeLists.txt).
inline int shell(const std::string& line) {
  const char* locks = std::getenv("CYANRIG_LOCK_DIR");
  const std::string lock_dir =
      locks == nullptr ? std::string()
                       : "CYANRIG_LOCK_DIR=" + std::string(locks) + "/" + std::to_string(::getpid()) + " ";
  const std::string command = std::string("cd ") + CYANRIG_SOURCE_DIR + " && " + lock_dir + line;
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace cyanrig::test
