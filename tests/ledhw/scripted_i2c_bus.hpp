// An I2cBus that expects an exact script of transactions: each write or write-then-read must be the
// next one scripted (address, bytes written, bytes to read), and gets the scripted answer: data, or
// no answer (a NACK: the sensor or multiplexer is not there). Anything unscripted fails the test
// with both transactions spelled out, and answers with a bus error so the code under test goes on.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "drivers/led/tcs34725/i2c_bus.hpp"

namespace cyanrig::ledhw_testing {

using Bytes = std::vector<std::uint8_t>;

class ScriptedI2cBus final : public I2cBus {
 public:
  explicit ScriptedI2cBus(std::string path = "/dev/i2c-1") : path_(std::move(path)) {}
  ~ScriptedI2cBus() override { EXPECT_TRUE(done()) << "transactions still expected:\n" << remaining(); }

  ScriptedI2cBus& expect_write(I2cAddress address, Bytes out) {
    script_.push_back({address, std::move(out), 0, {}, false});
    return *this;
  }
  ScriptedI2cBus& expect_read(I2cAddress address, Bytes out, Bytes reply) {
    const std::size_t n = reply.size();
    script_.push_back({address, std::move(out), n, std::move(reply), false});
    return *this;
  }
  // The next transaction is as given, and nothing acknowledges `address`.
  ScriptedI2cBus& nack_write(I2cAddress address, Bytes out) {
    script_.push_back({address, std::move(out), 0, {}, true});
    return *this;
  }
  ScriptedI2cBus& nack_read(I2cAddress address, Bytes out, std::size_t n) {
    script_.push_back({address, std::move(out), n, {}, true});
    return *this;
  }

  bool done() const { return script_.empty(); }
  std::string remaining() const {
    std::string out;
    for (const Step& s : script_) out += "  " + s.to_string() + "\n";
    return out;
  }

  I2cResult transfer(I2cAddress address, std::span<const std::uint8_t> out,
                     std::span<std::uint8_t> in) override {
    return take({address, Bytes(out.begin(), out.end()), in.size(), {}, false}, in);
  }
  I2cResult write(I2cAddress address, std::span<const std::uint8_t> out) override {
    return take({address, Bytes(out.begin(), out.end()), 0, {}, false}, {});
  }
  std::string describe() const override { return path_; }

 private:
  struct Step {
    I2cAddress address;
    Bytes out;
    std::size_t read = 0;
    Bytes reply;
    bool nack = false;

    bool same_request(const Step& other) const {
      return address == other.address && out == other.out && read == other.read;
    }
    std::string to_string() const {
      std::string text = fmt::format("{} write {::#04x}", address.to_string(), out);
      if (read > 0) text += fmt::format(" read {}", read);
      if (nack) text += " -> NACK";
      return text;
    }
  };

  I2cResult take(const Step& actual, std::span<std::uint8_t> in) {
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected transaction " << actual.to_string() << " after the script ended";
      return I2cError{actual.address, false, "script ended"};
    }
    Step expected = std::move(script_.front());
    script_.pop_front();
    if (!expected.same_request(actual)) {
      ADD_FAILURE() << "expected " << expected.to_string() << "\n     got " << actual.to_string();
      return I2cError{actual.address, false, "unexpected transaction"};
    }
    if (expected.nack)
      return I2cError{actual.address, true, fmt::format("no answer at {}", actual.address.to_string())};
    std::copy(expected.reply.begin(), expected.reply.end(), in.begin());
    return std::nullopt;
  }

  std::string path_;
  std::deque<Step> script_;
};

}  // namespace cyanrig::ledhw_testing
