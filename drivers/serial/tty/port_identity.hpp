// Whether a path still leads to the port a descriptor has open. A by-id symlink (or any name a lab
// gives a port) can be re-pointed at another tty while the old one stays open and quiet: the bytes
// the device now writes go to the new port, and a reader of the old one would never know.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace cyanrig {

// A file as the kernel knows it: two names are the same port when they lead to the same inode.
struct PortIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const PortIdentity&) const = default;

  static std::optional<PortIdentity> of_path(const std::string& path);  // follows symlinks
  static std::optional<PortIdentity> of_descriptor(int fd);
};

// Why `path` no longer leads to the open port `open` ("/dev/serial/by-id/x now leads to /dev/pts/7"),
// or nothing while it still does. A path that leads nowhere is not a move: the device is resetting,
// and the open port hangs up by itself.
std::optional<std::string> port_moved(const std::string& path, const PortIdentity& open);

}  // namespace cyanrig
