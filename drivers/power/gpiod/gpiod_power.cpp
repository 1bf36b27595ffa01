#include "drivers/power/gpiod/gpiod_power.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "drivers/power/gpiod/gpio_line.hpp"
#include "rig/clock.hpp"
#include "rig/core/component_log.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// Far past any real chip (a Pi's header chip has 54 or 58 lines); a bigger number is a typo.
constexpr unsigned kMaxOffset = 1023;

spdlog::logger& gpiod_log() {
  return component_log("gpiod");
}

struct GpiodPowerParams {
  LineAddress address;
  RelayBoard board;
};

// `line: 17` is an offset; `line: GPIO17` is a line name, looked up on the chip.
std::optional<std::variant<GpioOffset, std::string>> read_line(MapReader& params) {
  const auto text = params.text("line", true);
  if (!text) return std::nullopt;
  const bool digits = !text->empty() && text->find_first_not_of("0123456789") == std::string::npos;
  if (digits) {
    const unsigned long offset = text->size() <= 4 ? std::stoul(*text) : kMaxOffset + 1;  // no overflow
    if (offset <= kMaxOffset) return GpioOffset{static_cast<unsigned>(offset)};
    params.error("line", fmt::format("'line' offset must be 0 to {}, found {}", kMaxOffset, *text));
    return std::nullopt;
  }
  if (text->empty() || text->front() == '-' || text->front() == '+') {
    params.error("line",
                 fmt::format("'line' must be an offset (17) or a line name (GPIO17), found '{}'", *text));
    return std::nullopt;
  }
  return *text;
}

std::optional<GpiodPowerParams> read_params(const BackendSpec& spec, Diagnostics& diags) {
  MapReader params(spec.params, spec.loc.file, diags, "gpiod power backend");
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  GpiodPowerParams out;
  out.address.chip = params.text("chip").value_or("gpiochip0");
  if (out.address.chip.empty()) {
    params.error("chip",
                 "'chip' must name a chip: gpiochip0, a label such as pinctrl-bcm2711, or a /dev path");
  }
  const auto line = read_line(params);
  if (params.boolean("active_low").value_or(false)) out.board.polarity = RelayPolarity::active_low;
  if (params.choice("wiring", {"no", "nc"}).value_or("no") == "nc")
    out.board.wiring = RelayWiring::normally_closed;
  params.finish();
  if (!line || diags.size() != errors_before) return std::nullopt;
  out.address.line = *line;
  return out;
}

std::string describe_line(const OutputLine& line, const RelayBoard& board) {
  return fmt::format("{} ({} offset {}, {}, {})", line.address().to_string(), line.chip_name(),
                     line.offset().value,
                     board.polarity == RelayPolarity::active_low ? "active-low" : "active-high",
                     board.wiring == RelayWiring::normally_open ? "normally-open" : "normally-closed");
}

class GpiodPowerSwitch final : public PowerSwitch {
 public:
  GpiodPowerSwitch(Clock& clock, OutputLine line, RelayBoard board)
      : clock_(clock), line_(std::move(line)), board_(board), description_(describe_line(line_, board_)) {}

  void set(PowerState state, Done done) override {
    const LineLevel level = line_level(state, board_);
    Status status = line_.set(level);
    gpiod_log().debug("{}: power {} -> line {}{}", description_, to_string(state), to_string(level),
                      !status.ok() ? " failed: " + status.message() : "");
    // The line is already driven; the answer still waits for the loop, as every PowerSwitch promises.
    clock_.post(
        [alive = std::weak_ptr<const bool>(lifetime_), done = std::move(done), status = std::move(status)] {
          if (!alive.expired()) done(status);
        });
  }

  std::string describe() const override { return description_; }

 private:
  Clock& clock_;
  OutputLine line_;  // held for the switch's whole life: a released line's level is not guaranteed
  RelayBoard board_;
  std::string description_;
  std::shared_ptr<const bool> lifetime_ = std::make_shared<const bool>(true);  // answers die with the switch
};

}  // namespace

std::vector<ResourceClaim> gpio_line_claims(const BackendSpec& spec) {
  Diagnostics ignored;  // validate() reports them
  const auto params = read_params(spec, ignored);
  if (!params) return {};
  // /dev/gpiochip0 and gpiochip0 are one chip. A label, and a line given by name, are compared as
  // written: without the hardware, `line: GPIO17` and `line: 17` cannot be known to be the same.
  std::string chip = params->address.chip;
  if (chip.starts_with("/dev/")) chip = chip.substr(5);
  const auto& line = params->address.line;
  const std::string which = std::holds_alternative<GpioOffset>(line)
                                ? std::to_string(std::get<GpioOffset>(line).value)
                                : std::get<std::string>(line);
  return {{fmt::format("gpio {} {}", chip, which), fmt::format("gpio line {} of {}", which, chip),
           loc_of(spec.params["line"], spec.loc.file)}};
}

BackendFactory<PowerSwitch> gpiod_power_backend() {
  return {.validate = [](const BackendSite& site, Diagnostics& diags) { read_params(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<PowerSwitch> {
            Diagnostics diags;
            const auto params = read_params(site.spec, diags);
            if (!params) {
              throw std::runtime_error(diags.empty() ? "gpiod power backend: bad parameters"
                                                     : diags.items().front().to_string());
            }
            // Requested straight at the safe state's level: taking the line never powers a device up.
            const PowerState safe = ctx.rack().safe_power;
            OutputLine line = OutputLine::request(params->address, line_level(safe, params->board));
            auto power = std::make_unique<GpiodPowerSwitch>(ctx.clock(), std::move(line), params->board);
            gpiod_log().info("{}: holding {} as '{}' (power {})",
                             site.device != nullptr ? site.device->name : "?", power->describe(),
                             OutputLine::kConsumer, to_string(safe));
            return power;
          },
          .claims = [](const BackendSite& site) { return gpio_line_claims(site.spec); }};
}

}  // namespace cyanrig
