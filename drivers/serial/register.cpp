#include "drivers/serial/register.hpp"

#include "drivers/serial/dfu/dfu_util_flasher.hpp"
#include "drivers/serial/sim/sim_dfu_flasher.hpp"
#include "drivers/serial/sim/sim_serial_port.hpp"
#include "drivers/serial/tcp/tcp_port.hpp"
#include "drivers/serial/tty/tty_port.hpp"
#include "drivers/serial/usb/usb_port.hpp"

namespace cyanrig {

void register_serial_backends(BackendRegistry& registry) {
  registry.add<SerialPort>("sim", sim::sim_serial_backend());
  registry.add<SerialPort>("tty", tty_serial_backend());
  registry.add<SerialPort>("tcp", tcp_serial_backend());
  registry.add<SerialPort>("usb", usb_serial_backend());
  // What a serial backend offers the `dfu_flash` recover step, under the serial backend's name.
  registry.add<DfuFlasher>("sim", sim::sim_dfu_backend());
  registry.add<DfuFlasher>("tty", dfu_util_flasher_backend());
  registry.add<DfuFlasher>("usb", dfu_util_flasher_backend());
  registry.add<DfuFlasher>("tcp", tcp_dfu_refusal());
}

}  // namespace cyanrig
