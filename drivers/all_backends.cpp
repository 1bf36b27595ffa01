#include "drivers/all_backends.hpp"

#include "drivers/cloud/register.hpp"
#include "drivers/led/register.hpp"
#include "drivers/outage/register.hpp"
#include "drivers/power/register.hpp"
#include "drivers/serial/register.hpp"

namespace cyanrig {

const BackendRegistry& all_backends() {
  static const BackendRegistry kRegistry = [] {
    BackendRegistry r;
    register_power_backends(r);
    register_serial_backends(r);
    register_led_backends(r);
    register_outage_backends(r);
    register_cloud_backends(r);
    return r;
  }();
  return kRegistry;
}

}  // namespace cyanrig
