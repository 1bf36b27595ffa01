#include <gtest/gtest.h>

#include <fstream>

#include "rig/clock.hpp"
#include "rig/results/path_safe_name.hpp"
#include "rig/results/writers.hpp"
#include "run_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;

TEST(ResultsDir, NamedByStartTimeAndScenario) {
  const test::TempDir tmp;
  const fs::path dir = make_results_dir(tmp.path() / "results", "20261121T081502Z", "reboot_during_outage");
  EXPECT_EQ(dir, tmp.path() / "results" / "20261121T081502Z-reboot_during_outage");
  EXPECT_TRUE(fs::is_directory(dir));
}

TEST(ResultsDir, TakenNamesGetNumberedSuffixes) {
  const test::TempDir tmp;
  const auto make = [&] {
    return make_results_dir(tmp.path(), "20261121T081502Z", "soak").filename().string();
  };
  EXPECT_EQ(make(), "20261121T081502Z-soak");
  EXPECT_EQ(make(), "20261121T081502Z-soak-2");
  EXPECT_EQ(make(), "20261121T081502Z-soak-3");
  // A plain file in the way is skipped, not overwritten.
  std::ofstream(tmp.path() / "20261121T081502Z-other").put('x');
  EXPECT_EQ(make_results_dir(tmp.path(), "20261121T081502Z", "other").filename(), "20261121T081502Z-other-2");
}

TEST(ResultsDir, ScenarioNameCannotEscapeTheRoot) {
  const test::TempDir tmp;
  const fs::path dir = make_results_dir(tmp.path(), "20261121T081502Z", "../up and/away");
  EXPECT_EQ(dir.parent_path(), tmp.path());
  EXPECT_EQ(dir.filename(), "20261121T081502Z-_._up_and_away");
}

TEST(PathSafeName, KeepsPlainNamesAndNeutralisesTheRest) {
  EXPECT_EQ(path_safe_name("argon-1"), "argon-1");
  EXPECT_EQ(path_safe_name("Boron_2.b"), "Boron_2.b");
  EXPECT_EQ(path_safe_name("a b/c\\d"), "a_b_c_d");
  EXPECT_EQ(path_safe_name("grüße"), "gr_e");  // each run of non-ASCII bytes is one '_'
  EXPECT_EQ(path_safe_name(".."), "_.");
  EXPECT_EQ(path_safe_name(".hidden"), "_hidden");
  EXPECT_EQ(path_safe_name(""), "_");
  EXPECT_EQ(path_safe_name(std::string(300, 'a')).size(), 100U);
}

TEST(UtcStamps, IsoAndCompactForms) {
  const auto t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{8} +
                 std::chrono::minutes{15} + std::chrono::seconds{2} + std::chrono::milliseconds{999};
  EXPECT_EQ(utc_iso(t), "2026-11-21T08:15:02Z");
  EXPECT_EQ(utc_compact(t), "20261121T081502Z");
}

}  // namespace
}  // namespace cyanrig
