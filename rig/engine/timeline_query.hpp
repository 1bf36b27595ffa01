// Questions the engine asks of a device's timeline: "did the LED show breathing_cyan between these
// two instants?", "when did cloud_connected first happen after the mark?". Expectations and
// measurements both use these, so a step and a measurement never disagree about what happened.
#pragma once

#include <optional>
#include <string>

#include "rig/core/time.hpp"
#include "rig/scenario/scenario.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

// The longest time the LED decoder may take to name a state after it began: an SOS is named only
// once its code has finished (~4 s + 0.6 s per flash, ~13 s for code 15); 4 s breathing needs 1.5
// periods. An LED answer that depends on the future is only final after this.
constexpr Duration kLedRecognitionHorizon = std::chrono::milliseconds(14000);

struct ObservationMatch {
  Instant at;          // when the observation first held inside the window
  const Event* event;  // the event that showed it (null when it held through a mark)
};

enum class MatchState { found, not_yet, never };

struct QueryResult {
  MatchState state = MatchState::not_yet;
  std::optional<ObservationMatch> match;
};

// Looks for the first time `what` held for `device` inside [from, until], knowing the timeline up to
// `now`. `not_yet` means a later event could still satisfy it; `never` means the window is closed.
QueryResult find_observation(const Timeline& timeline, const std::string& device, const Observation& what,
                             Instant from, Instant until, Instant now);

// "what the device showed", for failure messages: the LED state and its start, the last Device OS
// event, the cloud status.
std::string describe_device_state(const Timeline& timeline, const std::string& device);

// Latest LED state name of a device (empty if none), and latest cloud status ("online"/"offline"/"")
// as the cloud lists it, stale or not.
std::string current_led(const Timeline& timeline, const std::string& device);
std::string current_cloud_status(const Timeline& timeline, const std::string& device);
// The event that set the latest cloud status (spark/status, device_info or listing_stale), or null.
const Event* current_cloud_listing(const Timeline& timeline, const std::string& device);
// A listing of `online` that describes a session which has since ended (rig/engine/cloud_listing.hpp).
bool is_stale_listing(const Event& status);

// "00:03:10.100" since run start.
std::string clock_text(Instant t);

// Event data as the cloud sends it may carry spaces (`success `, documented with its trailing
// space): compare it trimmed.
std::string trimmed(std::string s);

}  // namespace cyanrig
