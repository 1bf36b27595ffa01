// The dfu-util command that writes an application into a Particle device in DFU mode, as particle-cli's
// `flash --usb` runs it, and what dfu-util's answer means. Pure: the flashers run it (or, on the
// simulated rack, act it out) and record it.
#pragma once

#include <string>
#include <vector>

#include "drivers/posix/shell_command.hpp"
#include "rig/capabilities/dfu_flasher.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

// The bootloader's USB product id in DFU mode: 0xd000 | platform id (argon 0xd00c, boron 0xd00d).
int dfu_product_id(const Platform& platform);

// dfu-util -d 2b04:<DFU product> -S <device id> -a 0 -s <address>:leave -D <file>. -S picks this
// device among several in DFU mode: Device OS gives its device ID, in lower case, as the USB serial
// number (dfu-util compares it exactly); `:leave` starts the application once it is written.
std::vector<std::string> dfu_util_words(const RackDevice& device, const DfuImage& image);

// What one dfu-util run says.
struct DfuUtilAnswer {
  enum class Kind {
    flashed,    // written (exit 0, or the DfuSe leave quirk below)
    no_device,  // "No DFU capable USB device available": not (yet) in DFU mode; ask again
    failed,     // anything else: `message` says what
  };
  Kind kind = Kind::failed;
  std::string message;  // dfu-util's own last line ("dfu-util: No DFU capable USB device available")
};

// Reads a run of the words above with stdout sent to stderr. With `:leave` a DfuSe device often
// resets before dfu-util reads the last status: "File downloaded successfully", then "Error during
// download get_status" and exit 74. That is a flash that worked.
DfuUtilAnswer read_dfu_util_answer(const CommandResult& result, Duration timeout);

}  // namespace cyanrig
