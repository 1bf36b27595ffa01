#include "rig/rack/rack.hpp"

namespace cyanrig {

const RackDevice* Rack::find_device(std::string_view name_or_id) const {
  for (const RackDevice& d : devices) {
    if (d.name == name_or_id || d.id.str() == name_or_id) return &d;
  }
  return nullptr;
}

const Segment* Rack::find_segment(std::string_view segment_name) const {
  for (const Segment& s : segments) {
    if (s.name == segment_name) return &s;
  }
  return nullptr;
}

}  // namespace cyanrig
