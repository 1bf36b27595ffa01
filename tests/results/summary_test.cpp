#include <gtest/gtest.h>

#include <sstream>

#include "rig/results/writers.hpp"
#include "run_fixture.hpp"

namespace cyanrig {
namespace {

using nlohmann::ordered_json;

std::vector<std::string> keys(const ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [key, _] : j.items()) out.push_back(key);
  return out;
}

TEST(Summary, TopLevelKeysInDocumentedOrder) {
  const ordered_json j = summary_json(test::mixed_run());
  EXPECT_EQ(keys(j), (std::vector<std::string>{
                         "format_version", "status", "rack", "scenario", "files", "seed", "simulated",
                         "started_utc", "wall_seconds", "rig_seconds", "repeats", "verdict", "failure_class",
                         "exit_code", "devices", "cases", "run_failures", "measurements", "criteria"}));
}

TEST(Summary, RunIdentityAndOverallVerdict) {
  const ordered_json j = summary_json(test::mixed_run());
  EXPECT_EQ(j["rack"], "bench-a");
  EXPECT_EQ(j["scenario"], "reboot_during_outage");
  EXPECT_EQ(j["files"]["rack"], "racks/bench-a.yaml");
  EXPECT_EQ(j["files"]["scenario"], "scenarios/reboot_during_outage.yaml");
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["simulated"], true);
  EXPECT_EQ(j["started_utc"], "2026-11-21T08:15:02Z");
  EXPECT_EQ(j["wall_seconds"].dump(), "0.412");
  EXPECT_EQ(j["rig_seconds"].dump(), "240.0");
  EXPECT_EQ(j["repeats"], 2);
  // A lab failure in the mix decides the run: the device failure beside it cannot be trusted.
  EXPECT_EQ(j["verdict"], "fail");
  EXPECT_EQ(j["failure_class"], "infrastructure");
  EXPECT_EQ(j["exit_code"], 3);
}

TEST(Summary, DevicesCarryTheirOwnVerdict) {
  const ordered_json devices = summary_json(test::mixed_run())["devices"];
  ASSERT_EQ(devices.size(), 2U);
  EXPECT_EQ(devices[0]["name"], "argon-1");
  EXPECT_EQ(devices[0]["id"], "e00fce68aaaaaaaaaaaaaaaa");
  EXPECT_EQ(devices[0]["platform"], "argon");
  EXPECT_EQ(devices[0]["firmware"], "fw/tracker-1.2.bin");
  EXPECT_EQ(devices[0]["verdict"], "fail");
  EXPECT_EQ(devices[0]["failure_class"], "device");
  EXPECT_EQ(devices[1]["verdict"], "fail");
  EXPECT_EQ(devices[1]["failure_class"], "infrastructure");
}

TEST(Summary, CasesListFailuresWithStepPositionAndTime) {
  const ordered_json cases = summary_json(test::mixed_run())["cases"];
  ASSERT_EQ(cases.size(), 4U);
  EXPECT_EQ(cases[0]["verdict"], "pass");
  EXPECT_TRUE(cases[0]["failure_class"].is_null());
  EXPECT_TRUE(cases[0]["failures"].empty());
  EXPECT_EQ(cases[1]["ended_ms"].dump(), "118500.25");

  const ordered_json& failed = cases[2];
  EXPECT_EQ(failed["device"], "argon-1");
  EXPECT_EQ(failed["repeat"], 2);
  EXPECT_EQ(failed["verdict"], "fail");
  ASSERT_EQ(failed["failures"].size(), 1U);
  const ordered_json& f = failed["failures"][0];
  EXPECT_EQ(keys(f), (std::vector<std::string>{"class", "kind", "message", "step", "where", "t_ms"}));
  EXPECT_EQ(f["class"], "device");
  EXPECT_EQ(f["kind"], "timeout");
  EXPECT_EQ(f["step"], "steps[3] expect");
  EXPECT_EQ(f["where"], "scenarios/reboot_during_outage.yaml:14:7");
  EXPECT_EQ(f["t_ms"].dump(), "180250.0");

  EXPECT_EQ(cases[3]["failure_class"], "infrastructure");
  EXPECT_EQ(cases[3]["failures"][0]["class"], "infrastructure");
}

TEST(Summary, FailureWithoutStepOrPositionHasNulls) {
  RunResult r;
  r.run_failures.push_back(test::failure(FailureClass::infrastructure, "outage", "outage never lifted"));
  const ordered_json f = summary_json(r)["run_failures"][0];
  EXPECT_TRUE(f["step"].is_null());
  EXPECT_TRUE(f["where"].is_null());
  EXPECT_EQ(summary_json(r)["exit_code"], 3);
}

TEST(Summary, MeasurementsGroupedWithPerDeviceAndRackStatistics) {
  const ordered_json m = summary_json(test::mixed_run())["measurements"];
  ASSERT_EQ(keys(m), std::vector<std::string>{"time_to_cloud"});
  const ordered_json& ttc = m["time_to_cloud"];
  EXPECT_EQ(ttc["unit"], "s");

  // Rack-wide over 12.5, 30.25, 20 (sorted 12.5 20 30.25); the missing sample is counted apart.
  const ordered_json& rack = ttc["rack"];
  EXPECT_EQ(rack["count"], 3);
  EXPECT_EQ(rack["missing"], 1);
  EXPECT_EQ(rack["min"].dump(), "12.5");
  EXPECT_EQ(rack["max"].dump(), "30.25");
  EXPECT_EQ(rack["mean"].dump(), "20.916667");  // 62.75 / 3, rounded to 6 decimals
  EXPECT_EQ(rack["p50"].dump(), "20.0");
  EXPECT_EQ(rack["p75"].dump(), "25.125");  // rank 1.5
  EXPECT_EQ(rack["p95"].dump(), "29.225");  // rank 1.9

  EXPECT_EQ(keys(ttc["devices"]), (std::vector<std::string>{"argon-1", "boron-1"}));
  const ordered_json& argon = ttc["devices"]["argon-1"];
  EXPECT_EQ(argon["count"], 1);
  EXPECT_EQ(argon["missing"], 1);
  EXPECT_EQ(argon["p95"].dump(), "12.5");
  EXPECT_EQ(ttc["devices"]["boron-1"]["mean"].dump(), "25.125");

  ASSERT_EQ(ttc["samples"].size(), 4U);
  EXPECT_EQ(ttc["samples"][0].dump(), R"({"device":"argon-1","repeat":1,"value":12.5})");
  EXPECT_EQ(ttc["samples"][2].dump(),
            R"({"device":"argon-1","repeat":2,"value":null,"missing":"cloud_connected never seen"})");
}

TEST(Summary, StatisticsOfAnAllMissingMeasurementAreNull) {
  RunResult r;
  r.samples.push_back({"time_to_cloud", "argon-1", 1, std::nullopt, "s", "never booted"});
  const ordered_json rack = summary_json(r)["measurements"]["time_to_cloud"]["rack"];
  EXPECT_EQ(rack["count"], 0);
  EXPECT_EQ(rack["missing"], 1);
  EXPECT_TRUE(rack["p95"].is_null());
  EXPECT_TRUE(rack["mean"].is_null());
}

TEST(Summary, CriteriaResults) {
  const ordered_json c = summary_json(test::mixed_run())["criteria"];
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[0].dump(),
            R"({"measurement":"time_to_cloud","statistic":"p95","scope":"rack","limit":60.0,"actual":29.225,)"
            R"("unit":"s","count":3,"missing":0,"shown":"29.225","verdict":"pass","failure_class":null})");
  EXPECT_EQ(c[1]["scope"], "argon-1");
  EXPECT_EQ(c[1]["verdict"], "fail");
  // One of its two repeats never reached the measurement's end: the true maximum is above any limit.
  EXPECT_TRUE(c[1]["actual"].is_null());
  EXPECT_EQ(c[1]["shown"], ">10 (1 of 2 missing)");
  EXPECT_EQ(c[1]["failure_class"], "device");
}

TEST(Summary, PassingRunHasNoFailureClass) {
  RunResult r;
  r.cases.push_back({"argon-1", 1, {}, {}, {}});
  const ordered_json j = summary_json(r);
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_TRUE(j["failure_class"].is_null());
  EXPECT_EQ(j["exit_code"], 0);
}

TEST(Summary, WrittenFileSurvivesInvalidUtf8InMessages) {
  RunResult r;
  r.run_failures.push_back(test::failure(FailureClass::device, "serial", "saw \xff\xfe garbage"));
  std::ostringstream out;
  ASSERT_NO_THROW(write_summary_json(r, out));
  EXPECT_NE(out.str().find("saw \xEF\xBF\xBD\xEF\xBF\xBD garbage"), std::string::npos);
  EXPECT_EQ(out.str().back(), '\n');
}

// The file is written as it goes (a long run's tree of cases took several times their text), and
// must read exactly as the tree pretty-printed would: empty arrays and objects, nesting, escaping.
TEST(Summary, WrittenTextIsTheTreePrettyPrinted) {
  RunResult empty;
  RunResult bad_bytes;
  bad_bytes.cases.push_back(
      {"argon-\xff", 1, {}, {}, {test::failure(FailureClass::device, "serial", "a\"b\n\xfe")}});
  for (const RunResult& r : {test::mixed_run(), empty, bad_bytes}) {
    std::ostringstream out;
    write_summary_json(r, out);
    EXPECT_EQ(out.str(),
              summary_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
}

TEST(Summary, FieldsAfterStatusComeRightAfterIt) {
  std::ostringstream out;
  write_summary_json(test::mixed_run(), out, ordered_json{{"pid", 4242}, {"host", "pi"}});
  const ordered_json j = ordered_json::parse(out.str());
  const std::vector<std::string> k = keys(j);
  ASSERT_GE(k.size(), 5U);
  EXPECT_EQ((std::vector<std::string>{k[0], k[1], k[2], k[3], k[4]}),
            (std::vector<std::string>{"format_version", "status", "pid", "host", "rack"}));
}

}  // namespace
}  // namespace cyanrig
