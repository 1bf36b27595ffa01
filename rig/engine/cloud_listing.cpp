#include "rig/engine/cloud_listing.hpp"

#include <fmt/format.h>

#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

constexpr std::string_view kDeviceStarted = devos_event("device_started");
constexpr std::string_view kCloudDisconnected = devos_event("cloud_disconnected");

}  // namespace

CloudListing::CloudListing(RunContext& run)
    : run_(run), listener_(run.timeline.subscribe([this](const Event& e) { on_event(e); })) {}

CloudListing::~CloudListing() {
  run_.timeline.unsubscribe(listener_);
}

void CloudListing::on_event(const Event& e) {
  if (e.device.empty()) return;
  std::string because;
  if (e.kind == EventKind::power && e.name == ev::power::kOff) {
    because = "the rig cut the device's power";
  } else if (e.kind == EventKind::devos && e.name == kDeviceStarted) {
    because = "the device restarted";
  } else if (e.kind == EventKind::devos && e.name == kCloudDisconnected) {
    because = "the device reported losing the cloud";
  } else {
    return;
  }
  // Recorded after the event that caused it, not inside its telling (listeners must see events
  // in order).
  run_.clock.post([this, device = e.device, because = std::move(because)] { mark_stale(device, because); });
}

void CloudListing::mark_stale(const std::string& device, const std::string& because) {
  const Event* listing = current_cloud_listing(run_.timeline, device);
  if (listing == nullptr || listing->data["status"] != "online" || is_stale_listing(*listing)) return;
  run_.timeline.record(EventKind::cloud, device, ev::cloud::kListingStale,
                       {{"status", "online"}, {"stale", true}, {"because", because}});
}

}  // namespace cyanrig
