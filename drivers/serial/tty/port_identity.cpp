#include "drivers/serial/tty/port_identity.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace cyanrig {

std::optional<PortIdentity> PortIdentity::of_path(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return PortIdentity{info.st_dev, info.st_ino};
}

std::optional<PortIdentity> PortIdentity::of_descriptor(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return std::nullopt;
  return PortIdentity{info.st_dev, info.st_ino};
}

std::optional<std::string> port_moved(const std::string& path, const PortIdentity& open) {
  const auto now = PortIdentity::of_path(path);
  if (!now || *now == open) return std::nullopt;
  std::error_code ignored;
  const std::filesystem::path target = std::filesystem::canonical(path, ignored);
  return fmt::format("port moved: {} now leads to {}", path,
                     target.empty() ? "another port" : target.string());
}

}  // namespace cyanrig
