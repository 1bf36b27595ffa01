// What a holder writes into a lock file and a reader makes of it, and how a process is told apart
// from a later one that reuses its pid.
#include "rig/lock/lock_holder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rig/core/process_identity.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

TEST(ProcessIdentity, ThisProcessIsAliveAndReadsBackFromItsText) {
  const ProcessIdentity& self = ProcessIdentity::self();
  EXPECT_EQ(self.pid, ::getpid());
  EXPECT_GT(self.start_ticks, 0U);
  EXPECT_EQ(self.boot_id.size(), 36U) << self.boot_id;
  EXPECT_TRUE(self.alive());
  EXPECT_EQ(ProcessIdentity::parse(self.to_text()), self);
}

TEST(ProcessIdentity, AnExitedProcessIsNotAliveNorIsAnotherBootOrAnotherStart) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  const auto identity = ProcessIdentity::of_pid(child);  // a zombie until reaped: still there
  ASSERT_TRUE(identity);
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(identity->alive());

  ProcessIdentity other_boot = ProcessIdentity::self();
  other_boot.boot_id = "00000000-0000-0000-0000-000000000000";
  EXPECT_FALSE(other_boot.alive());
  ProcessIdentity reused_pid = ProcessIdentity::self();
  reused_pid.start_ticks += 1;  // the same pid, started later: another process
  EXPECT_FALSE(reused_pid.alive());
}

TEST(ProcessIdentity, TextThatIsNotAnIdentityIsRefused) {
  for (const char* text : {"", "pid 12", "pid x start 1 boot b", "pid 0 start 1 boot b",
                           "pid 12 start 1 boot b extra", "pod 12 start 1 boot b", "pid -4 start 1 boot b"}) {
    EXPECT_FALSE(ProcessIdentity::parse(text)) << text;
  }
}

TEST(LockHolder, EveryFieldSurvivesTheFileAndANewlineCannotForgeOne) {
  LockHolder holder = LockHolder::self("run", "evil\nsince: 1999-01-01T00:00:00Z", 2min);
  const auto read = LockHolder::parse(holder.to_text());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->process, ProcessIdentity::self());
  EXPECT_EQ(read->user, holder.user);
  EXPECT_EQ(read->host, holder.host);
  EXPECT_EQ(read->command, "run");
  EXPECT_EQ(read->scenario, "evil since: 1999-01-01T00:00:00Z");
  EXPECT_EQ(read->since, holder.since);
  EXPECT_EQ(read->yields_within, std::optional<Duration>(2min));
  EXPECT_THAT(read->describe(),
              ::testing::MatchesRegex("pid [0-9]+ \\(.+@.+\\), `run evil since: 1999-01-01T00:00:00Z` since "
                                      "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
}

TEST(LockHolder, AFileCutWhileBeingWrittenIsNoHolder) {
  const std::string whole = LockHolder::self("outage clear", "", std::nullopt).to_text();
  EXPECT_TRUE(LockHolder::parse(whole));
  EXPECT_FALSE(LockHolder::parse(""));
  EXPECT_FALSE(LockHolder::parse(whole.substr(0, whole.find("since"))));
  EXPECT_FALSE(LockHolder::parse(whole + "yields_within: soon\n"));
}

}  // namespace
}  // namespace cyanrig
