// The verdict matrix through real parts: `cyanrig sim serve` (the cloud over real HTTP, serial over
// ptys, power and outages through shell commands) with lab faults injected, and `cyanrig run` in
// another process. Each lab fault must end as an infrastructure error (exit 3) naming its cause,
// promptly — never as the devices' failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "serve_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

class ServedVerdicts : public ::testing::Test {
 protected:
  void SetUp() override {
    rack_ = dir_.path() / "served.yaml";
    server_ = std::make_unique<ServeProcess>(dir_.path(), rack_);
    ASSERT_TRUE(server_->wait_for_rack(rack_, 20s)) << server_->out() << server_->err();
  }

  std::string ctl(const std::string& args) const {
    std::smatch url;
    const std::string rack = slurp(rack_);
    std::regex_search(rack, url, std::regex(R"(--url '([^']+)')"));
    return std::string(CYANRIG_BINARY) + " sim ctl --url '" + url[1].str() + "' " + args;
  }

  // Runs served_smoke against the served rack; the exit code, and the run's summary.json.
  std::pair<int, nlohmann::json> run_smoke() {
    const fs::path results = dir_.path() / "results";
    const int exit =
        shell(std::string(CYANRIG_BINARY) + " run --rack " + rack_.string() +
              " scenarios/served_smoke.yaml --progress plain --results " + results.string() + " >" +
              (dir_.path() / "run.out").string() + " 2>" + (dir_.path() / "run.err").string());
    for (const auto& e : fs::directory_iterator(results)) {
      return {exit, nlohmann::json::parse(slurp(e.path() / "summary.json"))};
    }
    return {exit, nullptr};
  }

  std::string output() const { return slurp(dir_.path() / "run.out") + slurp(dir_.path() / "run.err"); }

  TempDir dir_{"cyanrig-served-verdicts"};
  fs::path rack_;
  std::unique_ptr<ServeProcess> server_;
};

// The first failure of each case: (device, class, kind, seconds after the case started).
struct CaseFailure {
  std::string device, cls, kind;
  double after_start;
};
std::vector<CaseFailure> failures(const nlohmann::json& summary) {
  std::vector<CaseFailure> out;
  for (const auto& c : summary["cases"]) {
    if (c["failures"].empty()) continue;
    const auto& f = c["failures"][0];
    out.push_back({c["device"], f["class"], f["kind"],
                   (f["t_ms"].get<double>() - c["started_ms"].get<double>()) / 1000.0});
  }
  return out;
}

TEST_F(ServedVerdicts, ACloudThatRefusesTheTokenIsTheLabsFaultAndSaidAtOnce) {
  ASSERT_EQ(shell(ctl("fault --status 401 --count 100000") + " >/dev/null"), 0);
  const auto [exit, summary] = run_smoke();
  EXPECT_EQ(exit, 3) << output();
  ASSERT_TRUE(summary.is_object()) << output();
  const auto found = failures(summary);
  ASSERT_EQ(found.size(), 2U) << summary.dump(2);
  for (const CaseFailure& f : found) {
    EXPECT_EQ(f.cls, "infrastructure") << f.device;
    EXPECT_EQ(f.kind, "cloud_token") << f.device;
    EXPECT_LT(f.after_start, 20.0) << f.device << ": not the full 40 s wait";
  }
}

TEST_F(ServedVerdicts, ACloudAnswering503IsTheLabsFault) {
  ASSERT_EQ(shell(ctl("fault --status 503 --count 100000") + " >/dev/null"), 0);
  const auto [exit, summary] = run_smoke();
  EXPECT_EQ(exit, 3) << output();
  ASSERT_TRUE(summary.is_object()) << output();
  for (const CaseFailure& f : failures(summary)) {
    EXPECT_EQ(f.cls, "infrastructure") << f.device;
    EXPECT_EQ(f.kind, "cloud") << f.device;
  }
  EXPECT_EQ(failures(summary).size(), 2U);
}

TEST_F(ServedVerdicts, AMissingSerialPortIsTheLabsFaultNamingPortAndReason) {
  // argon-1's serial port in the rack file points nowhere.
  std::string rack = slurp(rack_);
  const std::regex argon_serial(R"re((- name: argon-1[\s\S]*?serial: \{backend: tty, path: )"[^"]+")re");
  rack = std::regex_replace(rack, argon_serial, "$1\"/dev/cyanrig-no-such-port\"",
                            std::regex_constants::format_first_only);
  std::ofstream(rack_) << rack;
  const auto [exit, summary] = run_smoke();
  EXPECT_EQ(exit, 3) << output();
  ASSERT_TRUE(summary.is_object()) << output();
  const auto found = failures(summary);
  ASSERT_EQ(found.size(), 1U) << summary.dump(2);
  EXPECT_EQ(found[0].device, "argon-1");
  EXPECT_EQ(found[0].cls, "infrastructure");
  EXPECT_EQ(found[0].kind, "unhealthy");
  const std::string message = summary["cases"][0]["failures"][0]["message"];
  EXPECT_THAT(message, HasSubstr("/dev/cyanrig-no-such-port"));
  EXPECT_THAT(message, HasSubstr("No such file or directory"));
}

}  // namespace
}  // namespace cyanrig::test
