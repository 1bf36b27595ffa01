// The rack file `cyanrig sim serve --write-rack` writes: the served rack's devices, with cyanrig's
// real backends pointed at it, so any scenario runs end to end through real processes, ptys and
// HTTP instead of in simulated time.
#pragma once

#include <string>
#include <vector>

#include "drivers/sim/serve/served_rack.hpp"

namespace cyanrig::sim {

struct ServedRackFile {
  std::string cyanrig;          // absolute path of the cyanrig binary the power and outage commands run
  std::string url;              // the served API and control API
  std::string token_file;       // absolute path of the file holding the API token
  bool command_outage = false;  // this build has the `command` outage backend
};

// Power: `command` running `cyanrig sim ctl power`; serial: `tty` on the device's pty; cloud:
// `particle` at the served URL; outages: `command` running `cyanrig sim ctl outage`. Without that
// backend in the build the rack has no segments (a segment needs an outage backend). No LED
// sensors: there is nothing to read.
std::string served_rack_yaml(const Rack& rack, const std::vector<ServedDevice>& devices,
                             const ServedRackFile& file);

}  // namespace cyanrig::sim
