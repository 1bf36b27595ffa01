#include "drivers/power/gpiod/gpio_line.hpp"

#include <fmt/format.h>
#include <gpiod.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace cyanrig {
namespace {

// The kernel's own chip names; anything else without a slash is a label.
bool is_kernel_chip_name(std::string_view chip) {
  constexpr std::string_view kPrefix = "gpiochip";
  if (!chip.starts_with(kPrefix) || chip.size() == kPrefix.size()) return false;
  return chip.substr(kPrefix.size()).find_first_not_of("0123456789") == std::string_view::npos;
}

[[noreturn]] void fail(const LineAddress& address, GpioStep step, int error, std::string_view detail = {}) {
  throw std::runtime_error(fmt::format("{}: {}", address.to_string(), gpio_error_text(step, error, detail)));
}

std::string busy_text(std::string_view consumer) {
  if (consumer.empty()) return "line busy";
  if (consumer == OutputLine::kConsumer) {
    return fmt::format("line busy (used by '{}': another device of this rack, or another cyanrig run)",
                       consumer);
  }
  return fmt::format("line busy (used by '{}')", consumer);
}

}  // namespace

std::string LineAddress::to_string() const {
  const std::string which = std::holds_alternative<GpioOffset>(line)
                                ? std::to_string(std::get<GpioOffset>(line).value)
                                : std::get<std::string>(line);
  return fmt::format("{} line {}", chip, which);
}

std::string gpio_error_text(GpioStep step, int error, std::string_view detail) {
  const auto with_detail = [&](std::string_view text) {
    return detail.empty() ? std::string(text) : fmt::format("{} ({})", text, detail);
  };
  switch (error) {
    case EACCES:
    case EPERM:
      return "permission denied (the user needs read/write access to /dev/gpiochip*: on Raspberry Pi OS, the "
             "'gpio' group)";
    case ENOENT:
      return step == GpioStep::open_chip ? "no such chip" : "no line of that name on this chip";
    case ENODEV:
    case ENXIO:
      return step == GpioStep::open_chip ? "no such chip"
                                         : "chip is gone (unplugged, or its driver unloaded)";
    case ENOTTY:
    case EISDIR:
      return "not a GPIO chip";
    case EBUSY:
      return busy_text(detail);
    case EINVAL:
      if (step == GpioStep::find_line) return with_detail("line out of range");
      break;
    default:
      break;
  }
  if (error == 0) return with_detail("failed without saying why");
  return with_detail(std::generic_category().message(error));
}

void OutputLine::CloseChip::operator()(gpiod_chip* chip) const {
  gpiod_chip_close(chip);
}
void OutputLine::ReleaseLine::operator()(gpiod_line* line) const {
  gpiod_line_release(line);
}

OutputLine::OutputLine(LineAddress address, ChipHandle chip, RequestHandle line)
    : address_(std::move(address)), chip_(std::move(chip)), line_(std::move(line)) {}

OutputLine::ChipHandle OutputLine::open_chip(const LineAddress& address) {
  const char* chip = address.chip.c_str();
  errno = 0;
  gpiod_chip* opened = nullptr;
  if (address.chip.find('/') != std::string::npos) {
    opened = gpiod_chip_open(chip);
  } else if (is_kernel_chip_name(address.chip)) {
    opened = gpiod_chip_open_by_name(chip);
  } else {
    opened = gpiod_chip_open_by_label(chip);
  }
  if (opened == nullptr) fail(address, GpioStep::open_chip, errno);
  return ChipHandle(opened);
}

gpiod_line* OutputLine::find_line(gpiod_chip* chip, const LineAddress& address) {
  errno = 0;
  if (const auto* offset = std::get_if<GpioOffset>(&address.line)) {
    gpiod_line* line = gpiod_chip_get_line(chip, offset->value);
    if (line == nullptr) {
      const int error = errno;
      const unsigned count = gpiod_chip_num_lines(chip);
      fail(address, GpioStep::find_line, error,
           error == EINVAL ? fmt::format("{} has {} lines, numbered from 0", gpiod_chip_name(chip), count)
                           : "");
    }
    return line;
  }
  gpiod_line* line = gpiod_chip_find_line(chip, std::get<std::string>(address.line).c_str());
  if (line == nullptr) fail(address, GpioStep::find_line, errno);
  return line;
}

OutputLine OutputLine::request(const LineAddress& address, LineLevel initial) {
  ChipHandle chip = open_chip(address);
  gpiod_line* line = find_line(chip.get(), address);
  errno = 0;
  if (gpiod_line_request_output(line, kConsumer, static_cast<int>(initial)) != 0) {
    const int error = errno;
    std::string holder;
    if (error == EBUSY && gpiod_line_update(line) == 0 && gpiod_line_consumer(line) != nullptr) {
      holder = gpiod_line_consumer(line);
    }
    fail(address, GpioStep::request_line, error, holder);
  }
  return OutputLine(address, std::move(chip), RequestHandle(line));
}

Status OutputLine::set(LineLevel level) {
  errno = 0;
  if (gpiod_line_set_value(line_.get(), static_cast<int>(level)) == 0) return Status{};
  return fault(fmt::format("{}: {}", address_.to_string(), gpio_error_text(GpioStep::set_value, errno)));
}

GpioOffset OutputLine::offset() const {
  return GpioOffset{gpiod_line_offset(line_.get())};
}

std::string OutputLine::chip_name() const {
  return gpiod_chip_name(chip_.get());
}

}  // namespace cyanrig
