// Real ptys, a recording listener and a loop runner for the serial transport tests.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "drivers/serial/tty/raw_tty.hpp"
#include "rig/capabilities/serial.hpp"
#include "rig/clock.hpp"
#include "rig/serial/line_framer.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::testing {

// A pseudo-terminal standing in for a device's USB serial port: the test writes as the device on
// the master side; the backend opens the slave by path, as it would /dev/ttyACM0.
class Pty {
 public:
  // Throws std::runtime_error when the system has no pty to give. `raw`: the port passes bytes
  // untouched from the start, as a USB CDC port does, even before the backend opens it (a pty's
  // line discipline would otherwise turn what is written before then into CR-less, echoed lines).
  explicit Pty(bool raw = false);
  const std::string& path() const { return path_; }
  // Blocks until every byte is written (the backend must be reading for large writes).
  void write(std::string_view bytes);
  // Closes the master: the kernel hangs up the slave and removes its path, as USB does on reset.
  void hang_up() { master_.reset(); }

 private:
  FileDescriptor master_;
  std::string path_;
};

using test::TempDir;

// Points `link` at `target`, replacing what it pointed at: udev re-pointing a by-id name.
void point_symlink(const std::filesystem::path& link, const std::string& target);

// Everything a port told its listener, in order.
struct Received {
  struct Chunk {
    Instant arrival;
    std::string bytes;
  };
  struct Link {
    bool attached;
    std::string detail;
  };

  std::vector<std::variant<Chunk, Link>> seen;
  std::string bytes;  // every chunk, concatenated
  std::vector<Link> links;

  // Records into this object; extra runs after each record (e.g. to close the port from inside).
  SerialPort::Listener listener(std::function<void()> extra = {});
  int attaches() const;
  // The lines the engine would record: chunks through a LineFramer, flushed at every detach.
  std::vector<SerialLine> lines() const;
};

// Runs the loop until done() holds or `limit` has passed; returns done(). The generous default
// keeps a loaded machine from failing a test that is merely slow.
bool run_until(Clock& clock, const std::function<bool()>& done, Duration limit = std::chrono::seconds(10));
// Runs the loop for `span`, for checks that something does not happen.
void run_for(Clock& clock, Duration span);

}  // namespace cyanrig::testing
