// A GPIO output line held through libgpiod 1.6 (the C API shipped by Debian 12 and Raspberry Pi OS
// bookworm), for as long as the OutputLine lives.
//
// The request is taken once and kept: the kernel does not promise what a line does after it is
// released (it may float, and a floating relay input can switch the device), so the line is only
// given back when the process is done with it. Every libgpiod handle is owned by a move-only type;
// every errno becomes words in one place, gpio_error_text().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "drivers/power/gpiod/relay_level.hpp"
#include "rig/capabilities/status.hpp"

struct gpiod_chip;
struct gpiod_line;

namespace cyanrig {

// A line's position on its chip (what `gpioinfo` prints in its first column).
struct GpioOffset {
  unsigned value = 0;
  friend bool operator==(const GpioOffset&, const GpioOffset&) = default;
};

// Where a line is, in the rack file's words.
struct LineAddress {
  std::string chip;                            // "/dev/gpiochip0", "gpiochip0" or a label ("pinctrl-bcm2711")
  std::variant<GpioOffset, std::string> line;  // offset, or the line's name ("GPIO17")

  std::string to_string() const;  // "gpiochip0 line 17", used to start every error message
};

// The libgpiod call that failed; the same errno means different things at different steps
// (ENOENT is "no such chip" when opening, "no such line" when looking a line up by name).
enum class GpioStep { open_chip, find_line, request_line, set_value };

// The one place an errno from libgpiod becomes words: "no such chip", "line busy (used by 'x')",
// "permission denied (...)". `detail` is what only the caller knows: the consumer holding a busy
// line, or the chip's line count for an offset past its end.
std::string gpio_error_text(GpioStep step, int error, std::string_view detail = {});

class OutputLine {
 public:
  static constexpr const char* kConsumer = "cyanrig";  // shown by gpioinfo next to the line

  // Opens the chip, finds the line and requests it as an output driven at `initial` from the first
  // instant. Throws std::runtime_error "<address>: <cause>" ("gpiochip2 line 17: no such chip").
  static OutputLine request(const LineAddress& address, LineLevel initial);

  OutputLine(OutputLine&&) noexcept = default;
  // No assignment: a member-wise one would close the old chip (freeing its line) before releasing
  // the old line. A held line is never replaced anyway; it lives as long as its switch.
  OutputLine& operator=(OutputLine&&) = delete;
  ~OutputLine() = default;  // releases the line, then closes the chip

  // Drives the line; a fault names the address and the cause.
  Status set(LineLevel level);

  const LineAddress& address() const { return address_; }
  GpioOffset offset() const;
  std::string chip_name() const;  // the kernel's name ("gpiochip0"), whatever the rack file said

 private:
  struct CloseChip {
    void operator()(gpiod_chip* chip) const;
  };
  struct ReleaseLine {
    void operator()(gpiod_line* line) const;
  };
  using ChipHandle = std::unique_ptr<gpiod_chip, CloseChip>;
  // A requested line. libgpiod 1.6 frees the line object with its chip; this handle only releases
  // the request, so it must go before the chip (member order below).
  using RequestHandle = std::unique_ptr<gpiod_line, ReleaseLine>;

  OutputLine(LineAddress address, ChipHandle chip, RequestHandle line);
  static ChipHandle open_chip(const LineAddress& address);
  static gpiod_line* find_line(gpiod_chip* chip, const LineAddress& address);

  LineAddress address_;
  ChipHandle chip_;
  RequestHandle line_;
};

}  // namespace cyanrig
