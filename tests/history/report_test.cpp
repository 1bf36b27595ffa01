// report.html and the commands around a run (run, report, history, gate) with the real binary on
// simulated racks, as a firmware team's CI would drive them.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "rig/results/results_reader.hpp"
#include "tests/history/run_folders.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class Report : public ::testing::Test {
 protected:
  test::CommandResult cyanrig(const std::string& args) {
    return test::cyanrig(args, dir_.path() / "scratch");
  }
  fs::path orphan_rack() { return test::rack_with_faults(dir_.path(), "p2-1", "{orphan_after_outage: 1}"); }
  std::string history() { return " --history " + (dir_.path() / "history.sqlite").string(); }
  fs::path newest(const fs::path& root) {
    fs::path last;
    for (const auto& e : fs::directory_iterator(root)) last = std::max(last, e.path());
    return last;
  }
  static nlohmann::json model(const std::string& html) {
    const std::string open = R"(<script id="run-data" type="application/json">)";
    const auto from = html.find(open) + open.size();
    return nlohmann::json::parse(html.substr(from, html.find("</script>", from) - from));
  }

  test::TempDir dir_{"cyanrig-report"};
};

std::string sha256_base64(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(length))));
  return out;
}

TEST_F(Report, EveryRunWritesOneSelfContainedPageThatRunsOnlyItsOwnScript) {
  const fs::path run =
      test::run_folder(dir_.path() / "results", "orphan_check --rack " + orphan_rack().string());
  const std::string html = test::slurp(run / "report.html");
  ASSERT_FALSE(html.empty());
  // Nothing the browser would fetch: no src, no stylesheet links, no URL but the SVG namespace.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_EQ(std::regex_replace(html, std::regex("http://www\\.w3\\.org/2000/svg"), "").find("http://"),
            std::string::npos);
  // The policy forbids everything but the page's own script and style, named by their hashes.
  const std::smatch csp = [&] {
    std::smatch m;
    std::regex_search(
        html, m, std::regex("default-src 'none'; script-src 'sha256-([^']+)'; style-src 'sha256-([^']+)'"));
    return m;
  }();
  ASSERT_EQ(csp.size(), 3U);
  const auto script_from = html.rfind("<script>") + 8;
  EXPECT_EQ(csp[1], sha256_base64(html.substr(script_from, html.rfind("</script>") - script_from)));
  const auto style_from = html.find("<style>") + 7;
  EXPECT_EQ(csp[2], sha256_base64(html.substr(style_from, html.find("</style>") - style_from)));
}

TEST_F(Report, FailuresLinkToTheirMomentWithTheSerialLogAroundThem) {
  const fs::path run =
      test::run_folder(dir_.path() / "results", "orphan_check --rack " + orphan_rack().string());
  const std::string html = test::slurp(run / "report.html");
  EXPECT_NE(html.find(R"(<span class="verdict fail">FAIL (device)</span>)"), std::string::npos);
  for (int n : {0, 1}) {
    EXPECT_THAT(html, HasSubstr("href=\"#fail-" + std::to_string(n) + "\""));
    EXPECT_THAT(html, HasSubstr("id=\"fail-" + std::to_string(n) + "\""));
  }
  // The moment of p2-1's first failure, as summary.json has it.
  const auto summary = nlohmann::json::parse(test::slurp(run / "summary.json"));
  double failed_ms = -1;
  for (const auto& c : summary["cases"]) {
    if (c["device"] == "p2-1" && c["repeat"] == 1 && !c["failures"].empty())
      failed_ms = c["failures"][0]["t_ms"];
  }
  ASSERT_GT(failed_ms, 0) << summary.dump(2);
  EXPECT_THAT(html, HasSubstr(fmt::format("p2-1 repeat 1 at {:.1f} s", failed_ms / 1000)));
  EXPECT_THAT(html, HasSubstr("[system] INFO: Cloud connected"));  // from serial/p2-1.log
  const auto m = model(html);
  ASSERT_EQ(m["failures"].size(), 2U);
  EXPECT_EQ(m["failures"][0][1], std::llround(failed_ms));  // the moment, ms
  EXPECT_EQ(m["devices"][m["failures"][0][0].get<int>()]["name"], "p2-1");
}

TEST_F(Report, SwimlanesHoldEveryDeviceTheOutagesAndTheRepeats) {
  const fs::path run = test::run_folder(dir_.path() / "results", "reboot_during_outage");
  const auto m = model(test::slurp(run / "report.html"));
  ASSERT_EQ(m["devices"].size(), 8U);
  EXPECT_EQ(m["devices"][4]["segment"], "lab-cellular");  // boron-1, from the rack
  EXPECT_EQ(m["repeats"].size(), 2U);
  ASSERT_EQ(m["outages"].size(), 4U);  // 2 segments x 2 repeats
  // The first outage starts where events.jsonl says it did.
  double first_start_ms = -1;
  std::ifstream events(run / "events.jsonl");
  for (std::string line; first_start_ms < 0 && std::getline(events, line);) {
    const auto e = nlohmann::json::parse(line);
    if (e["kind"] == "outage" && e["name"] == "start") first_start_ms = e["t_ms"];
  }
  ASSERT_GT(first_start_ms, 0);
  EXPECT_EQ(m["outages"][0]["start"], std::llround(first_start_ms));
  EXPECT_FALSE(m["outages"][0]["effective"].empty());
  const auto& strings = m["strings"];
  const auto& led = m["lanes"][2]["led"];  // argon-1
  ASSERT_GE(led.size(), 12U);
  // The first states after power-up, as the LED shows them (labels by index).
  EXPECT_EQ(strings[led[1].get<int>()], "off");
  EXPECT_EQ(strings[led[3].get<int>()], "breathing_white");
  EXPECT_FALSE(m["lanes"][2]["ticks"].empty());  // Device OS events
  EXPECT_FALSE(m["lanes"][2]["calls"].empty());  // ping()
  // boron-1's cloud lane: the listing it kept through the reboot during the outage is drawn stale
  // (2), between online (1) before it and online again after.
  const auto& cloud = m["lanes"][4]["cloud"];
  std::vector<int> statuses;
  for (std::size_t i = 1; i < cloud.size(); i += 2) statuses.push_back(cloud[i].get<int>());
  const auto stale = std::find(statuses.begin(), statuses.end(), 2);
  ASSERT_NE(stale, statuses.end());
  EXPECT_NE(std::find(statuses.begin(), stale, 1), stale) << "online before";
  EXPECT_NE(std::find(stale, statuses.end(), 1), statuses.end()) << "online again after";
}

// A soak of many repeats: the page draws at most 100 of them, so its size and the memory to build
// it do not grow with the run. The repeats a person needs are among them: every one with a failure,
// the first and the last; where drawing resumes, each lane shows the state it had reached.
TEST_F(Report, ALongRunDrawsItsFailingRepeatsTheFirstOnesAndTheLastWithinAHundred) {
  const fs::path scenario = dir_.path() / "many_boots.yaml";
  std::ofstream(scenario) << R"(scenario: many_boots
devices: {name: [argon-1]}
repeat: 120
limits: {connect: 15s}
steps:
  - power: cycle
    off_for: 2s
  - mark: boot
  - expect: {led: breathing_cyan, within: connect, from: boot}
)";
  const fs::path rack = test::rack_with_faults(dir_.path(), "argon-1", "{flaky_backoff: 0.5}");
  const fs::path run =
      test::run_folder(dir_.path() / "results", scenario.string() + " --rack " + rack.string() + " --seed 1");
  const auto m = model(test::slurp(run / "report.html"));
  const auto& gaps = m["gaps"];
  ASSERT_FALSE(gaps.empty());
  const auto skipped = [&](double t) {
    return std::any_of(gaps.begin(), gaps.end(), [&](const auto& g) { return t >= g[0] && t < g[1]; });
  };
  std::set<int> drawn;
  for (const auto& r : m["repeats"]) {
    if (!skipped(r[1].get<double>())) drawn.insert(r[0].get<int>());
  }
  EXPECT_EQ(drawn.size(), 100U);
  EXPECT_TRUE(drawn.contains(1));
  EXPECT_TRUE(drawn.contains(120));
  std::set<int> failing;
  const nlohmann::json summary = nlohmann::json::parse(test::slurp(run / "summary.json"));
  for (const auto& c : summary["cases"]) {
    if (!c["failures"].empty()) failing.insert(c["repeat"].get<int>());
  }
  ASSERT_TRUE(!failing.empty() && *failing.rbegin() > 99) << "the run must fail past the first 99 repeats";
  for (const int n : failing) EXPECT_TRUE(drawn.contains(n)) << "failing repeat " << n;
  // The lane skips the gaps and, where each ends, shows the power and LED state it left.
  const auto times = [](const nlohmann::json& flat, std::size_t width) {
    std::vector<double> out;
    double t = 0;
    for (std::size_t i = 0; i < flat.size(); i += width) out.push_back(t += flat[i].get<double>());
    return out;
  };
  std::size_t argon = 0;
  while (argon < m["devices"].size() && m["devices"][argon]["name"] != "argon-1") ++argon;
  ASSERT_LT(argon, m["devices"].size());
  const auto& lane = m["lanes"][argon];
  const auto inside_a_gap = [&](double t) {
    return std::any_of(gaps.begin(), gaps.end(), [&](const auto& g) { return t > g[0] && t < g[1]; });
  };
  for (const char* row : {"power", "led", "ticks", "marks"}) {
    for (const double t : times(lane[row], 2)) EXPECT_FALSE(inside_a_gap(t)) << row << " at " << t;
  }
  for (const auto& g : gaps) {
    if (g[1] == m["end"]) continue;
    for (const char* row : {"power", "led"}) {
      const auto t = times(lane[row], 2);
      EXPECT_NE(std::find(t.begin(), t.end(), g[1].get<double>()), t.end()) << row << " resumes at " << g[1];
    }
  }
}

TEST_F(Report, TheSameRunGivesTheSameBytesAndOldFoldersGetOne) {
  const fs::path run =
      test::run_folder(dir_.path() / "results", "orphan_check --rack " + orphan_rack().string());
  const std::string first = test::slurp(run / "report.html");
  fs::remove(run / "report.html");  // a folder from before reports existed
  const auto r = cyanrig("report " + run.string() + " --no-history");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::slurp(run / "report.html"), first);
}

TEST_F(Report, ABrokenSummaryIsReportedWithItsPosition) {
  const fs::path run = dir_.path() / "broken";
  fs::create_directories(run);
  std::ofstream(run / "summary.json") << "{\n  \"rack\": \"a\",\n  \"scenario\": oops\n}\n";
  const auto r = cyanrig("report " + run.string() + " --no-history");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr((run / "summary.json").string() + ":3:"));
  EXPECT_FALSE(fs::exists(run / "report.html"));
}

TEST_F(Report, ReadsNewerFoldersFieldsAndToleratesMissingOnes) {
  const fs::path run = dir_.path() / "newer";
  fs::create_directories(run);
  std::ofstream(run / "summary.json")
      << R"({"format_version": 2, "status": "aborted", "scenario": "s", "seed": 18446744073709551615,
    "devices": [{"name": "a", "verdict": "skipped"}, {"name": "b", "verdict": "fail", "failure_class": "inconclusive"}],
    "cases": [{"device": "b", "repeat": 1, "failures": [{"class": "inconclusive", "message": "m", "t_ms": 5.5}]}],
    "measurements": {"x": {"unit": "s", "samples": [{"device": "b", "repeat": 1, "value": null, "missing": "never"}]}}})";
  std::ofstream(run / "events.jsonl")
      << "{\"seq\":1,\"t\":0,\"kind\":\"run\",\"name\":\"start\"}\n{\"seq\":2,\"t\":";
  Diagnostics diags;
  const auto read = read_results_folder(run, diags);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, "aborted");
  EXPECT_EQ(read->seed, "18446744073709551615");
  EXPECT_TRUE(read->devices[0].skipped);
  EXPECT_EQ(read->all_failures().at(0).cls, "inconclusive");
  EXPECT_FALSE(read->measurements.at(0).samples.at(0).value);
  int events = 0;
  for_each_recorded_event(
      run, [&](const RecordedEvent&) { ++events; }, diags);
  EXPECT_EQ(events, 1);  // the unfinished last line of a killed run is left out, not an error
  EXPECT_TRUE(diags.empty());
  const auto r = cyanrig("report " + run.string() + " --no-history");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Report, RunsAreRecordedFlakyDevicesMarkedAndQuarantineKeepsCIGreen) {
  const fs::path results = dir_.path() / "results";
  const std::string rack = orphan_rack().string();
  auto r = cyanrig("run orphan_check --progress quiet --results " + results.string() + history());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("history: run 1 recorded in"));
  r = cyanrig("run orphan_check --rack " + rack + " --progress quiet --results " + results.string() +
              history());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("flaky: p2-1 passed 2 and failed 2 of its repeats in the last 2 runs"));
  fs::path run = newest(results);
  EXPECT_THAT(test::slurp(run / "junit.xml"), HasSubstr(R"(<property name="flaky" value="p2-1"/>)"));
  EXPECT_THAT(test::slurp(run / "report.html"), HasSubstr("p2-1 flaky"));

  r = cyanrig("history quarantine add p2-1 --scenario orphan_check --reason 'RMA 12'" + history());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = cyanrig("run orphan_check --rack " + rack + " --progress quiet --results " + results.string() +
              history());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // still reported, no longer failing CI
  run = newest(results);
  const auto summary = nlohmann::json::parse(test::slurp(run / "summary.json"));
  EXPECT_EQ(summary["verdict"], "fail");
  EXPECT_EQ(summary["exit_code"], 0);
  EXPECT_EQ(summary["history"]["exit_code_without_quarantine"], 1);
  EXPECT_THAT(test::slurp(run / "junit.xml"), HasSubstr(R"(<property name="quarantined" value="p2-1"/>)"));

  r = cyanrig("history" + history());
  EXPECT_THAT(r.out, HasSubstr("    3  "));
  r = cyanrig("history trend reconnect_time --by device" + history());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("p2-1"));
  r = cyanrig("run orphan_check --no-history --progress quiet --results " + results.string() + history());
  EXPECT_THAT(cyanrig("history" + history()).out, Not(HasSubstr("    4  ")));
}

TEST_F(Report, TheGatePassesNoiseAndFailsASlowerFirmware) {
  const fs::path results = dir_.path() / "results";
  const std::string slow = test::rack_with_faults(dir_.path(), "*", "{flaky_backoff: 0.8}").string();
  const std::string run = "run connect_time_slo --progress quiet --results " + results.string() + history();
  auto r = cyanrig(run + " --seed 1 --firmware v1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = cyanrig(run + " --seed 2 --gate tag:v1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("gate: pass"));
  r = cyanrig(run + " --seed 3 --rack " + slow + " --gate last-pass");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("REGRESSED"));
  EXPECT_THAT(r.out, HasSubstr("gate: FAIL"));
  r = cyanrig("gate --baseline 1 --max-regression 20%" + history());
  EXPECT_EQ(r.exit_code, 1);
  r = cyanrig("gate --baseline tag:nothing" + history());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no run of connect_time_slo tagged 'nothing'"));
}

}  // namespace
}  // namespace cyanrig
