#include "drivers/led/tcs34725/i2c_dev_bus.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace cyanrig {

std::string I2cAddress::to_string() const {
  return fmt::format("0x{:02x}", value);
}

std::string i2c_error_text(I2cStep step, int error, I2cAddress address) {
  switch (error) {
    case ENOENT:
      return "no such bus (is I2C enabled? dtparam=i2c_arm=on in /boot/config.txt; ls /dev/i2c-*)";
    case EACCES:
    case EPERM:
      return "permission denied (the user needs read/write access to /dev/i2c-*: on Raspberry Pi OS, the "
             "'i2c' group)";
    case ENOTTY:
    case EINVAL:
      return step == I2cStep::open
                 ? "not an I2C bus"
                 : fmt::format("transfer to {} refused by the adapter", address.to_string());
    case ENXIO:
    case EREMOTEIO:
    case EIO:  // some adapters report a NACK as a plain I/O error
      return fmt::format("no answer at {}", address.to_string());
    case ETIMEDOUT:
      return "bus timed out (something holds SDA or SCL low: check wiring and pull-ups)";
    case EAGAIN:
      return "lost arbitration (another master on the bus?)";
    case ENODEV:
      return "bus is gone (adapter removed or its driver unloaded)";
    default:
      return std::generic_category().message(error);
  }
}

std::unique_ptr<I2cDevBus> I2cDevBus::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(i2c_error_text(I2cStep::open, errno));
  std::unique_ptr<I2cDevBus> bus(new I2cDevBus(path, fd));  // owns fd from here on
  unsigned long functions = 0;
  if (::ioctl(fd, I2C_FUNCS, &functions) < 0) {
    throw std::runtime_error(i2c_error_text(I2cStep::open, errno));
  }
  if ((functions & I2C_FUNC_I2C) == 0) {
    throw std::runtime_error(
        "the adapter only does SMBus, not the plain I2C transfers (I2C_RDWR) sensors need");
  }
  return bus;
}

I2cDevBus::~I2cDevBus() {
  ::close(fd_);
}

I2cResult I2cDevBus::transfer(I2cAddress address, std::span<const std::uint8_t> out,
                              std::span<std::uint8_t> in) {
  return run(address, out, in);
}

I2cResult I2cDevBus::write(I2cAddress address, std::span<const std::uint8_t> out) {
  return run(address, out, {});
}

I2cResult I2cDevBus::run(I2cAddress address, std::span<const std::uint8_t> out, std::span<std::uint8_t> in) {
  // The kernel's i2c_msg takes a non-const buffer for both directions; it does not write to a
  // message without I2C_M_RD.
  std::array<i2c_msg, 2> messages{};
  __u32 count = 0;
  messages[count++] = {address.value, 0, static_cast<__u16>(out.size()), const_cast<__u8*>(out.data())};
  if (!in.empty()) {
    messages[count++] = {address.value, I2C_M_RD, static_cast<__u16>(in.size()), in.data()};
  }
  i2c_rdwr_ioctl_data request{messages.data(), count};
  if (::ioctl(fd_, I2C_RDWR, &request) >= 0) return std::nullopt;
  const int error = errno;
  return I2cError{address, error == ENXIO || error == EREMOTEIO || error == EIO,
                  i2c_error_text(I2cStep::transfer, error, address)};
}

}  // namespace cyanrig
