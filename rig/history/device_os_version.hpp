// The Device OS version a device reported, read from what it said during the run: a serial line that
// names it ("Device OS v6.2.0", "system firmware version: 6.2.0") or an event field the cloud or the
// log parser filled (system_firmware_version, system_version).
#pragma once

#include <string>
#include <vector>

#include "rig/results/results_reader.hpp"

namespace cyanrig {

// The last version named in these lines; empty when none does.
std::string device_os_version_in(const std::vector<RecordedSerialLine>& lines);
// The last version an event's fields name; empty when none does.
std::string device_os_version_in(const RecordedEvent& event);

}  // namespace cyanrig
