// A file in a folder that several Unix users share (/run/lock/cyanrig): created readable and
// writable by all, so that whoever comes next can open it, and never replaced, since a lock is held
// on the file itself. Move-only; the descriptor closes (and the kernel releases a lock held through
// it) when the LockFile goes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cyanrig {

class LockFile {
 public:
  LockFile() = default;
  LockFile(LockFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}
  LockFile& operator=(LockFile&& other) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  ~LockFile() { close(); }

  // Opens `path` for reading and writing, creating it (mode 0666) when it is not there. In a
  // sticky, world-writable folder the kernel refuses O_CREAT on another user's file
  // (fs.protected_regular), so an existing file is opened without it. `error` says why on failure.
  static std::optional<LockFile> open_or_create(const std::filesystem::path& path, std::string& error);
  // Opens an existing file read-only; nothing when it is not there (or not readable).
  static std::optional<LockFile> open_existing(const std::filesystem::path& path);

  // flock(2) without waiting: true when this descriptor now holds it.
  bool try_lock_exclusive();
  bool try_lock_shared();

  // The whole content, and replacing it (the file keeps its inode, and any lock held on it).
  std::string read_all() const;
  bool rewrite(std::string_view text);

  const std::filesystem::path& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  LockFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

// Makes `folder` (and its parents) when missing; the folder itself gets mode 1777 (sticky,
// everyone may add files, only owners remove theirs), like /tmp. Empty on success, else why not.
std::string make_shared_folder(const std::filesystem::path& folder);

}  // namespace cyanrig
