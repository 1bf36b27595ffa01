#include "serial_test_support.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace cyanrig::testing {

Pty::Pty(bool raw) : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) {
  if (!master_ || ::grantpt(master_.get()) != 0 || ::unlockpt(master_.get()) != 0) {
    throw std::runtime_error(std::string("no pty: ") + std::strerror(errno));
  }
  termios settings{};
  if (raw && ::tcgetattr(master_.get(), &settings) == 0) {  // on a master: the pair's slave side
    ::cfmakeraw(&settings);
    ::tcsetattr(master_.get(), TCSANOW, &settings);
  }
  char name[128];
  if (::ptsname_r(master_.get(), name, sizeof name) != 0) throw std::runtime_error("ptsname failed");
  path_ = name;
}

void Pty::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(master_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string("pty write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void point_symlink(const std::filesystem::path& link, const std::string& target) {
  std::filesystem::remove(link);
  std::filesystem::create_symlink(target, link);
}

SerialPort::Listener Received::listener(std::function<void()> extra) {
  return {.on_bytes =
              [this, extra](Instant arrival, std::string_view chunk) {
                seen.emplace_back(Chunk{arrival, std::string(chunk)});
                bytes += chunk;
                if (extra) extra();
              },
          .on_link =
              [this, extra](bool attached, std::string detail) {
                seen.emplace_back(Link{attached, detail});
                links.push_back({attached, std::move(detail)});
                if (extra) extra();
              }};
}

int Received::attaches() const {
  return static_cast<int>(
      std::count_if(links.begin(), links.end(), [](const Link& l) { return l.attached; }));
}

std::vector<SerialLine> Received::lines() const {
  LineFramer framer;
  std::vector<SerialLine> out;
  for (const auto& item : seen) {
    if (const auto* chunk = std::get_if<Chunk>(&item)) {
      for (SerialLine& line : framer.feed(chunk->arrival, chunk->bytes)) out.push_back(std::move(line));
    } else if (!std::get<Link>(item).attached) {
      if (auto line = framer.flush()) out.push_back(std::move(*line));
    }
  }
  if (auto line = framer.flush()) out.push_back(std::move(*line));
  return out;
}

bool run_until(Clock& clock, const std::function<bool()>& done, Duration limit) {
  if (done()) return true;
  const Instant deadline = clock.now() + limit;
  Timer check;
  std::function<void()> poll = [&] {
    if (done() || clock.now() >= deadline) return clock.stop();
    check = clock.after(std::chrono::milliseconds(2), poll);
  };
  check = clock.after(std::chrono::milliseconds(2), poll);
  clock.run();
  return done();
}

void run_for(Clock& clock, Duration span) {
  run_until(
      clock, [] { return false; }, span);
}

}  // namespace cyanrig::testing
