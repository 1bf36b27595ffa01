#include "rig/lock/lock_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace cyanrig {
namespace {

constexpr mode_t kEveryoneReadWrite = 0666;
constexpr mode_t kSharedFolder = 01777;
constexpr int kOpenAttempts = 5;  // each lost race is another process creating it at the same moment

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

}  // namespace

LockFile& LockFile::operator=(LockFile&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

void LockFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<LockFile> LockFile::open_or_create(const std::filesystem::path& path, std::string& error) {
  for (int attempt = 0; attempt < kOpenAttempts; ++attempt) {
    const int existing = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (existing >= 0) return LockFile(existing, path);
    if (errno != ENOENT) {
      error = fmt::format("cannot open {}: {}", path.string(), errno_text(errno));
      return std::nullopt;
    }
    const int created =
        ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kEveryoneReadWrite);
    if (created >= 0) {
      ::fchmod(created, kEveryoneReadWrite);  // whatever the creator's umask: the next user must open it
      return LockFile(created, path);
    }
    if (errno != EEXIST) {
      error = fmt::format("cannot create {}: {}", path.string(), errno_text(errno));
      return std::nullopt;
    }
  }
  error = fmt::format("cannot open {}: it keeps appearing and vanishing", path.string());
  return std::nullopt;
}

std::optional<LockFile> LockFile::open_existing(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  return LockFile(fd, path);
}

bool LockFile::try_lock_exclusive() {
  return fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

bool LockFile::try_lock_shared() {
  return fd_ >= 0 && ::flock(fd_, LOCK_SH | LOCK_NB) == 0;
}

std::string LockFile::read_all() const {
  std::string text;
  std::array<char, 1024> chunk{};
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), at);
    if (n <= 0) break;
    text.append(chunk.data(), static_cast<std::size_t>(n));
    at += n;
  }
  return text;
}

bool LockFile::rewrite(std::string_view text) {
  if (fd_ < 0 || ::ftruncate(fd_, 0) != 0) return false;
  for (off_t at = 0; !text.empty();) {
    const ssize_t n = ::pwrite(fd_, text.data(), text.size(), at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
    at += n;
  }
  return true;
}

std::string make_shared_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) return {};
  std::filesystem::create_directories(folder.parent_path(), ec);
  if (::mkdir(folder.c_str(), kSharedFolder) != 0 && errno != EEXIST) {
    return fmt::format(
        "cannot create the lock folder {}: {} (make it once for everyone: install -d -m 1777 {})",
        folder.string(), errno_text(errno), folder.string());
  }
  ::chmod(folder.c_str(),
          kSharedFolder);  // the umask took bits away; a folder made by another user stays theirs
  return {};
}

}  // namespace cyanrig
