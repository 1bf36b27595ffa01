// The real i2c-dev bus where no I2C hardware exists: the errors a rack engineer sees for a bus that
// is missing or is not a bus at all.
#include "drivers/led/tcs34725/i2c_dev_bus.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>

namespace cyanrig {
namespace {

std::string open_error(const std::string& path) {
  try {
    I2cDevBus::open(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "opened";
}

TEST(I2cDevBus, AMissingBusSaysSoAndHowToEnableI2c) {
  EXPECT_EQ(open_error("/dev/i2c-99"),
            "no such bus (is I2C enabled? dtparam=i2c_arm=on in /boot/config.txt; ls /dev/i2c-*)");
}

TEST(I2cDevBus, AFileThatIsNoI2cAdapterIsRefusedWhenOpened) {
  EXPECT_EQ(open_error("/dev/null"), "not an I2C bus");
}

TEST(I2cErrorText, TellsANackFromABusProblem) {
  EXPECT_EQ(i2c_error_text(I2cStep::transfer, EREMOTEIO, I2cAddress{0x29}), "no answer at 0x29");
  EXPECT_EQ(i2c_error_text(I2cStep::transfer, ENXIO, I2cAddress{0x70}), "no answer at 0x70");
  EXPECT_EQ(i2c_error_text(I2cStep::transfer, ETIMEDOUT, I2cAddress{0x29}),
            "bus timed out (something holds SDA or SCL low: check wiring and pull-ups)");
  EXPECT_NE(i2c_error_text(I2cStep::open, EACCES).find("'i2c' group"), std::string::npos);
}

}  // namespace
}  // namespace cyanrig
