#include "rig/monitor/textfile.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace cyanrig::monitor {

std::string write_textfile(const std::filesystem::path& path, const std::string& exposition) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return fmt::format("{}: cannot write: {}", temporary.string(), std::strerror(errno));
    out << exposition;
    out.flush();
    if (!out) return fmt::format("{}: write failed: {}", temporary.string(), std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) return fmt::format("{}: cannot replace: {}", path.string(), ec.message());
  return {};
}

}  // namespace cyanrig::monitor
