#include "rig/clock.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rig/timeline.hpp"

using namespace cyanrig;
using namespace std::chrono_literals;

TEST(VirtualClock, JumpsToEachTimerInOrderAndTiesRunInScheduleOrder) {
  auto clock = make_virtual_clock();
  std::vector<std::pair<int, double>> seen;
  auto note = [&](int tag) { seen.emplace_back(tag, ms_since_start(clock->now())); };
  Timer a = clock->after(2h, [&] { note(1); });
  Timer b = clock->after(10ms, [&] { note(2); });
  Timer c = clock->after(10ms, [&] { note(3); });
  clock->run();
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0], std::make_pair(2, 10.0));
  EXPECT_EQ(seen[1], std::make_pair(3, 10.0));
  EXPECT_EQ(seen[2], std::make_pair(1, 7'200'000.0));
}

TEST(VirtualClock, CancelledOrDestroyedTimersNeverFire) {
  auto clock = make_virtual_clock();
  int fired = 0;
  Timer kept = clock->after(1s, [&] { ++fired; });
  {
    Timer dropped = clock->after(1s, [&] { fired += 100; });
  }
  Timer cancelled = clock->after(1s, [&] { fired += 10; });
  cancelled.cancel();
  clock->run();
  EXPECT_EQ(fired, 1);
}

TEST(VirtualClock, PostedWorkRunsBeforeTimeAdvances) {
  auto clock = make_virtual_clock();
  std::vector<double> at;
  Timer t = clock->after(5s, [&] { at.push_back(ms_since_start(clock->now())); });
  clock->post([&] { at.push_back(ms_since_start(clock->now())); });
  clock->run();
  EXPECT_EQ(at, (std::vector<double>{0.0, 5000.0}));
}

TEST(VirtualClock, StopEndsTheRunEvenWithTimersPending) {
  auto clock = make_virtual_clock();
  std::function<void()> tick;
  std::vector<Timer> timers;
  int ticks = 0;
  tick = [&] {
    if (++ticks == 5) clock->stop();
    timers.push_back(clock->after(1s, tick));
  };
  timers.push_back(clock->after(1s, tick));
  clock->run();
  EXPECT_EQ(ticks, 5);
  EXPECT_EQ(clock->now(), Instant(5s));
}

TEST(SteadyClock, TimersFireAfterRealTimeAndCanBeCancelled) {
  auto clock = make_steady_clock();
  bool late = false;
  Timer never = clock->after(50ms, [&] { late = true; });
  Timer done = clock->after(5ms, [&] {
    never.cancel();
    clock->stop();
  });
  const Instant before = clock->now();
  clock->run();
  EXPECT_GE(clock->now() - before, Duration(5ms));
  EXPECT_FALSE(late);
}

TEST(Timeline, RecordsInOrderAndTellsListeners) {
  auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  std::vector<std::string> heard;
  const auto id = timeline.subscribe([&](const Event& e) { heard.push_back(e.name); });
  Timer t = clock->after(3s, [&] { timeline.record(EventKind::mark, "argon-1", "outage_end"); });
  timeline.record(EventKind::power, "argon-1", "on");
  clock->run();
  timeline.unsubscribe(id);
  timeline.record(EventKind::note, "", "unheard");
  EXPECT_EQ(timeline.recorded(), 3U);
  ASSERT_EQ(timeline.events_of("argon-1", EventKind::mark).size(), 1U);
  EXPECT_EQ(timeline.events_of("argon-1", EventKind::mark)[0].t, Instant(3s));
  EXPECT_EQ(timeline.events_of("argon-1", EventKind::mark)[0].seq, 2U);
  EXPECT_EQ(heard, (std::vector<std::string>{"on", "outage_end"}));
}

// A long run holds only what queries can still ask about: what came before the cut goes, except
// the last event of each name, which says what state held at the cut.
TEST(Timeline, ForgettingKeepsTheStateInForceAtTheCut) {
  auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  for (int i = 0; i < 10; ++i) {  // at 1 s, 2 s, ... 10 s
    Timer t = clock->after(1s, [&, i] {
      timeline.record(EventKind::led, "argon-1", i % 2 == 0 ? "breathing_cyan" : "off");
      timeline.record(EventKind::serial, "argon-1", "line", {{"line", std::to_string(i)}});
    });
    clock->run();
  }
  EXPECT_EQ(timeline.held(), 20U);
  timeline.forget_before(Instant(8s));
  // Kept: the last "off" and "breathing_cyan" before 8 s (6 s, 7 s), the last line (7 s), and 8-10 s.
  const auto& led = timeline.events_of("argon-1", EventKind::led);
  ASSERT_EQ(led.size(), 5U);
  EXPECT_EQ(led[0].t, Instant(6s));
  EXPECT_EQ(led[1].t, Instant(7s));
  EXPECT_EQ(led[2].t, Instant(8s));
  EXPECT_EQ(timeline.events_of("argon-1", EventKind::serial).size(), 4U);
  EXPECT_EQ(timeline.held(), 9U);
  EXPECT_EQ(timeline.recorded(), 20U);
}

TEST(Timeline, LedEventsBeginWhenThePatternBegan) {
  auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  Timer t = clock->after(10s, [&] {
    timeline.record(EventKind::led, "argon-1", "breathing_cyan", {{"since_ms", 6500.0}});
  });
  clock->run();
  const auto& led = timeline.events_of("argon-1", EventKind::led);
  ASSERT_EQ(led.size(), 1U);
  EXPECT_EQ(led[0].began(), Instant(6500ms));
  EXPECT_EQ(led[0].t, Instant(10s));
}

TEST(VirtualClock, ATimerIsScheduledUntilItFiresOrIsCancelled) {
  auto clock = make_virtual_clock();
  Timer t = clock->after(1s, [] {});
  Timer c = clock->after(2s, [] {});
  EXPECT_TRUE(t.scheduled());
  c.cancel();
  EXPECT_FALSE(c.scheduled());
  clock->run();
  EXPECT_FALSE(t.scheduled());
}
