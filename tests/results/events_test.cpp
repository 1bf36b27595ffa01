#include <gtest/gtest.h>

#include <sstream>

#include "rig/clock.hpp"
#include "rig/results/writers.hpp"
#include "run_fixture.hpp"

namespace cyanrig {
namespace {

using nlohmann::json;

// Records a small run on the virtual clock, the way the engine would.
std::string events_of_small_run() {
  const auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  std::ostringstream out;
  timeline.subscribe([&out](const Event& e) { write_event_jsonl(e, out); });
  std::vector<Timer> timers;
  const auto at = [&](double ms, std::function<void()> fn) {
    timers.push_back(clock->at(test::at_ms(ms), fn));
  };
  at(0, [&] { timeline.record(EventKind::run, "", "start", {{"scenario", "s"}, {"seed", 1}}); });
  at(1.5, [&] {
    timeline.record(EventKind::serial, "argon-1", "line",
                    {{"line", "0000001234 [app] INFO: hi \"x\""}, {"device_ms", 1234}});
  });
  at(2000.25, [&] { timeline.record(EventKind::led, "argon-1", "breathing_cyan", {{"since_ms", 1500.0}}); });
  at(3000, [&] {
    timeline.record(EventKind::note, "", "clash", {{"zeta", 1}, {"name", "inner"}, {"alpha", {1, 2}}});
  });
  at(3000, [&] { timeline.record(EventKind::note, "", "free", "just text"); });
  at(3600000.001, [&] { timeline.record(EventKind::mark, "", "checkpoint"); });
  clock->run();
  return out.str();
}

TEST(EventsJsonl, ByteForByteForASmallTimeline) {
  EXPECT_EQ(
      events_of_small_run(),
      R"({"seq":1,"t_ms":0.0,"kind":"run","name":"start","scenario":"s","seed":1})"
      "\n"
      R"({"seq":2,"t_ms":1.5,"kind":"serial","device":"argon-1","name":"line","device_ms":1234,)"
      R"("line":"0000001234 [app] INFO: hi \"x\""})"
      "\n"
      R"({"seq":3,"t_ms":2000.25,"kind":"led","device":"argon-1","name":"breathing_cyan","since_ms":1500.0})"
      "\n"
      // A data field named like a fixed key is kept apart instead of overwriting it.
      R"({"seq":4,"t_ms":3000.0,"kind":"note","name":"clash","alpha":[1,2],"data.name":"inner","zeta":1})"
      "\n"
      R"({"seq":5,"t_ms":3000.0,"kind":"note","name":"free","data":"just text"})"
      "\n"
      R"({"seq":6,"t_ms":3600000.001,"kind":"mark","name":"checkpoint"})"
      "\n");
}

TEST(EventsJsonl, SameTimelineSameBytes) {
  EXPECT_EQ(events_of_small_run(), events_of_small_run());
}

TEST(EventsJsonl, InvalidUtf8FromTheSerialPortDoesNotStopTheWriter) {
  Event e;
  e.seq = 1;
  e.kind = EventKind::serial;
  e.device = "argon-1";
  e.name = "line";
  e.data = {{"line", "boot \xff\xfe noise"}};
  std::ostringstream out;
  ASSERT_NO_THROW(write_event_jsonl(e, out));
  EXPECT_EQ(json::parse(out.str())["line"], "boot \xEF\xBF\xBD\xEF\xBF\xBD noise");
}

}  // namespace
}  // namespace cyanrig
