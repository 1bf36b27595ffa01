// A POSIX file descriptor closed exactly once; move-only. Shared by every backend that holds one
// (ttys, ptys, pidfds, lock files).
#pragma once

namespace cyanrig {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release();  // the caller owns the descriptor now
  void reset();

 private:
  int fd_ = -1;
};

}  // namespace cyanrig
