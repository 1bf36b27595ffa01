// I2cBus on Linux i2c-dev (/dev/i2c-N): each transaction is one ioctl(I2C_RDWR), no library.
//
// The descriptor is owned for the bus's whole life (move-only, closed once). Every errno becomes
// words in one place, i2c_error_text(): a NACK is "no answer at 0x29", a missing bus "no such bus".
#pragma once

#include <memory>
#include <string>

#include "drivers/led/tcs34725/i2c_bus.hpp"

namespace cyanrig {

// Where in the life of a bus an errno came from: ENOENT means "no such bus" when opening, while
// EREMOTEIO only ever comes from a transfer.
enum class I2cStep { open, transfer };

std::string i2c_error_text(I2cStep step, int error, I2cAddress address = {});

class I2cDevBus final : public I2cBus {
 public:
  // Opens `path` and checks it is an I2C adapter that can do plain I2C transfers. Throws
  // std::runtime_error with the cause ("no such bus (...)", "not an I2C bus"); the caller names the path.
  static std::unique_ptr<I2cDevBus> open(const std::string& path);

  I2cDevBus(const I2cDevBus&) = delete;
  I2cDevBus& operator=(const I2cDevBus&) = delete;
  ~I2cDevBus() override;

  I2cResult transfer(I2cAddress address, std::span<const std::uint8_t> out,
                     std::span<std::uint8_t> in) override;
  I2cResult write(I2cAddress address, std::span<const std::uint8_t> out) override;
  std::string describe() const override { return path_; }

 private:
  I2cDevBus(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  I2cResult run(I2cAddress address, std::span<const std::uint8_t> out, std::span<std::uint8_t> in);

  std::string path_;
  int fd_;
};

}  // namespace cyanrig
