// One recogniser of the LED decoder alone (rig/led/*_matcher.hpp), for its own tests: the light
// track the decoder would build over a script's samples, each point given to the recogniser, and
// what it proposes, in order. Nothing arbitrates between recognisers here, so a test sees exactly
// what one of them names and when.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rig/led/led_candidate.hpp"
#include "rig/led/led_light_track.hpp"
#include "rig/led/steady_matcher.hpp"
#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {

using Proposal = std::optional<led_detail::Candidate>;

// Runs `step` at every point of `samples` (after the track took it; the point's closed segment, if
// any, is track.closed()). The dark level is learned where the decoder would allow it (a steady
// matcher of the harness's own decides, as in the decoder).
std::vector<led_detail::Candidate> propose(const std::vector<RgbSample>& samples,
                                           const std::function<Proposal(const led_detail::LightTrack&)>& step,
                                           const LedDecoderOptions& options = {});

// "name@start_ms" for each proposal, for readable failures.
std::string describe(const std::vector<led_detail::Candidate>& proposals);

// The first proposal naming `state`, if any.
const led_detail::Candidate* first_named(const std::vector<led_detail::Candidate>& proposals,
                                         const std::string& state);

// Runs a recogniser that follows segments and time (flashes, SOS): each closed segment, then the
// time check, at every point.
template <typename Matcher>
std::function<Proposal(const led_detail::LightTrack&)> on_segments_and_time(Matcher& matcher) {
  return [&matcher](const led_detail::LightTrack& track) -> Proposal {
    if (track.closed()) {
      if (Proposal c = matcher.on_segment(*track.closed(), track)) return c;
    }
    return matcher.on_time(track);
  };
}

// The rates every recogniser is tested at, and their test names ("50Hz").
inline const auto kTestRates = testing::Values(50.0, 100.0, 200.0);
inline std::string rate_name(const testing::TestParamInfo<double>& info) {
  return std::to_string(static_cast<int>(info.param)) + "Hz";
}

// The samples of `script` through a datasheet sensor at `rate_hz` (seed 1): the realistic optics.
std::vector<RgbSample> datasheet_samples(const LedScript& script, double rate_hz, std::uint64_t seed = 1);

}  // namespace cyanrig::test
