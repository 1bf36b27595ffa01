// The cyanrig binary as users and CI drive it: exit codes, messages, results on disk, signals.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using ::testing::HasSubstr;

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cyanrig-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs cyanrig from the source tree (so shipped scenarios resolve) with stdout/stderr captured.
  Result cyanrig(const std::string& args) {
    const std::string cmd = std::string("cd ") + CYANRIG_SOURCE_DIR + " && " + CYANRIG_BINARY + " " + args +
                            " >" + (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
    const int status = std::system(cmd.c_str());
    return {WEXITSTATUS(status), slurp(dir_ / "out"), slurp(dir_ / "err")};
  }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  fs::path only_results_dir() {
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(dir_ / "results")) dirs.push_back(e.path());
    EXPECT_EQ(dirs.size(), 1U);
    return dirs.empty() ? fs::path() : dirs.front();
  }

  fs::path dir_;
};

}  // namespace

TEST_F(Cli, ValidateReportsEveryProblemWithItsPositionAndExits2) {
  const fs::path bad =
      write("bad.yaml", "scenario: t\ndevices: all\nsteps:\n  - wait: 10 mins\n  - expect: {led: bright}\n");
  const Result r = cyanrig("validate " + bad.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(bad.string() + ":4:11: 'wait': bad duration '10 mins'"));
  EXPECT_THAT(r.err, HasSubstr(bad.string() + ":5:19: unknown LED state 'bright'"));
}

TEST_F(Cli, ValidateAcceptsTheShippedScenariosAndRack) {
  const Result r = cyanrig("validate scenarios/*.yaml scenarios/racks/sim.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: scenarios/reboot_during_outage.yaml: scenario 'reboot_during_outage'"));
  EXPECT_THAT(r.out, HasSubstr("ok: scenarios/racks/sim.yaml: rack 'sim-lab', 8 devices"));
}

TEST_F(Cli, RunRefusesAnInvalidScenarioBeforeTouchingAnything) {
  const fs::path bad =
      write("bad.yaml", "scenario: t\ndevices: {platform: electron}\nsteps:\n  - power: on\n");
  const Result r = cyanrig("run " + bad.string() + " --results " + (dir_ / "results").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("matches no device"));
  EXPECT_THAT(r.err, HasSubstr("nothing was run"));
  EXPECT_FALSE(fs::exists(dir_ / "results"));
}

TEST_F(Cli, RunWritesResultsAndPrintsTheVerdictTable) {
  const Result r =
      cyanrig("run reboot_during_outage --progress plain --results " + (dir_ / "results").string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("overall: PASS (exit 0)"));
  EXPECT_THAT(r.out, HasSubstr("reconnect_time p50/p75/max (s)"));
  const fs::path results = only_results_dir();
  EXPECT_THAT(r.out, HasSubstr("results: " + results.string()));
  EXPECT_THAT(results.filename().string(), ::testing::EndsWith("-reboot_during_outage"));
  for (const char* f :
       {"summary.json", "junit.xml", "events.jsonl", "serial/argon-1.log", "serial/boron-2.log"}) {
    EXPECT_TRUE(fs::exists(results / f)) << f;
  }
  const auto summary = nlohmann::json::parse(slurp(results / "summary.json"));
  EXPECT_EQ(summary["exit_code"], 0);
  EXPECT_THAT(slurp(results / "serial/argon-1.log"), HasSubstr("Cloud connected"));
  EXPECT_THAT(slurp(results / "junit.xml"), HasSubstr("<testsuite name=\"reboot_during_outage\""));
}

TEST_F(Cli, SigtermLiftsTheOutageAndLeavesRelaysInTheSafeState) {
  const fs::path scenario = write("long.yaml", R"(scenario: long_outage
devices: all
steps:
  - power: on
  - outage: start
    mode: cloud
  - wait: 1000h
  - outage: stop
)");
  const std::string results = (dir_ / "results").string();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execl(CYANRIG_BINARY, CYANRIG_BINARY, "run", scenario.c_str(), "--results", results.c_str(), "--progress",
          "plain", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // well into the 1000 h wait
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);

  std::map<std::string, int> outages;  // segment -> started minus stopped
  std::map<std::string, std::string> last_power;
  std::istringstream lines(slurp(only_results_dir() / "events.jsonl"));
  bool interrupted = false;
  for (std::string line; std::getline(lines, line);) {
    const auto e = nlohmann::json::parse(line);
    if (e["kind"] == "outage" && e["name"] == "start") ++outages[e["segment"]];
    if (e["kind"] == "outage" && e["name"] == "stop") --outages[e["segment"]];
    if (e["kind"] == "power") last_power[e["device"]] = e["name"];
    if (e["kind"] == "failure" && e["name"] == "interrupted") interrupted = true;
  }
  EXPECT_TRUE(interrupted);
  EXPECT_EQ(outages.size(), 2U);
  for (const auto& [segment, balance] : outages) EXPECT_EQ(balance, 0) << segment;
  EXPECT_EQ(last_power.size(), 8U);
  for (const auto& [device, state] : last_power) EXPECT_EQ(state, "off") << device;
}

TEST_F(Cli, LiveProgressDrawsTheTableAndEndsWithTheVerdict) {
  const Result r = cyanrig("run orphan_check --no-results --progress live");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("device     repeat step"));
  EXPECT_THAT(r.out, HasSubstr("overall: PASS (exit 0)"));
}

TEST_F(Cli, LogParsePrintsOneJsonObjectPerDeviceOsEvent) {
  const fs::path log =
      write("capture.log",
            "[2026-11-21 08:15:02.123] 0000001033 [system] INFO: Device e00fce68a1b2c3d4e5f60718 started\n"
            "hello from the application\n"
            "0000008209 [system] INFO: Cloud connected\n");
  const Result r = cyanrig("log parse " + log.string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> events;
  for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0]["line"], 1);
  EXPECT_EQ(events[0]["event"], "device_started");
  EXPECT_EQ(events[0]["device_ms"], 1033);
  EXPECT_EQ(events[1]["line"], 3);
  EXPECT_EQ(events[1]["event"], "cloud_connected");
  EXPECT_EQ(cyanrig("log parse " + (dir_ / "missing.log").string()).exit_code, 2);
}

TEST_F(Cli, LedDecodeReadsATraceAndRejectsABadOne) {
  std::string csv = "t_ms,r,g,b\n";
  for (int t = 0; t < 6000; t += 20) csv += std::to_string(t) + ",0.02,0.03,0.02\n";  // dark
  const Result dark = cyanrig("led decode " + write("dark.csv", csv).string());
  EXPECT_EQ(dark.exit_code, 0) << dark.err;
  EXPECT_THAT(dark.out, HasSubstr("\"state\":\"off\""));
  const Result bad = cyanrig("led decode " + write("bad.csv", "t_ms,r,g,b\n0,0.1,zz,0\n").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("bad.csv:2:"));
}

TEST_F(Cli, SerialDfuAndListeningOpenTheDevicesPortAtTheTriggerBaud) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const std::string slave = ptsname(master);
  const fs::path rack = write("rack.yaml",
                              "rack: bench\nsafe_power: off\ndevices:\n"
                              "  - {name: argon-1, id: e00fce68a1b2c3d4e5f60718, platform: argon,\n"
                              "     serial: {backend: tty, path: " +
                                  slave +
                                  "}}\n"
                                  "  - {name: argon-2, id: e00fce68a1b2c3d4e5f60719, platform: argon,\n"
                                  "     serial: {backend: tty, path: /dev/cyanrig-no-such-port}}\n"
                                  "  - {name: argon-3, id: e00fce68a1b2c3d4e5f6071a, platform: argon}\n");
  const Result dfu = cyanrig("serial dfu argon-1 --rack " + rack.string());
  EXPECT_EQ(dfu.exit_code, 0) << dfu.err;
  EXPECT_THAT(dfu.out, HasSubstr("argon-1: opened " + slave + " at 14400 baud"));
  const Result listening = cyanrig("serial listening argon-1 --rack " + rack.string());
  EXPECT_EQ(listening.exit_code, 0) << listening.err;
  EXPECT_THAT(listening.out, HasSubstr("at 28800 baud"));
  // A port that is not there is the lab's problem; a device without a port is the rack's.
  const Result missing = cyanrig("serial dfu argon-2 --rack " + rack.string());
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("argon-2: "));
  EXPECT_THAT(missing.err, HasSubstr("/dev/cyanrig-no-such-port"));
  const Result none = cyanrig("serial dfu argon-3 --rack " + rack.string());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("argon-3: the rack gives it no serial port"));
  EXPECT_EQ(cyanrig("serial dfu nobody --rack " + rack.string()).exit_code, 2);
  close(master);
}

TEST_F(Cli, HelpAndUsageErrors) {
  EXPECT_EQ(cyanrig("--help").exit_code, 0);
  const Result run_help = cyanrig("run --help");
  EXPECT_EQ(run_help.exit_code, 0);
  EXPECT_THAT(run_help.out, HasSubstr("--rack"));
  EXPECT_EQ(cyanrig("frobnicate").exit_code, 2);
  EXPECT_EQ(cyanrig("run").exit_code, 2);
}

TEST_F(Cli, OutageCommandsExit2ForARackFileProblemAnd3ForABackendThatCannotBeAsked) {
  const fs::path bad = write("bad.yaml", "rack: r\nsafe_power: maybe\n");
  const fs::path missing_chip = write("chip.yaml",
                                      "rack: r\nsafe_power: off\nsegments:\n"
                                      "  - {name: lab, outage: {backend: gpio, chip: gpiochip99, line: 22}}\n"
                                      "devices:\n"
                                      "  - {name: argon-1, id: e00fce68a1b2c3d4e5f60718, platform: argon, "
                                      "segment: lab}\n");
  for (const std::string command : {"status", "clear"}) {
    EXPECT_EQ(cyanrig("outage " + command + " --rack " + bad.string()).exit_code, 2) << command;
    const Result r = cyanrig("outage " + command + " --rack " + missing_chip.string());
    EXPECT_EQ(r.exit_code, 3) << command << r.err;
    EXPECT_THAT(r.err, HasSubstr("lab / gpio: gpiochip99 line 22: no such chip")) << command;
  }
}

TEST_F(Cli, AMistypedCommandNamesTheNearestOne) {
  const Result rn = cyanrig("rn orphan_check");
  EXPECT_EQ(rn.exit_code, 2);
  EXPECT_THAT(rn.err,
              HasSubstr("cyanrig: 'rn' is not a cyanrig command (did you mean 'run'?); the commands are: "
                        "run, validate,"));
  const Result decod = cyanrig("led decod trace.csv");
  EXPECT_EQ(decod.exit_code, 2);
  EXPECT_THAT(decod.err, HasSubstr("'decod' is not a cyanrig led command (did you mean 'decode'?)"));
}

TEST_F(Cli, ASeedIsAWholeNumberThatFitsNeverAWrappedOne) {
  for (const std::string seed : {"-1", "18446744073709551616", "1e3", "0x10", "7x"}) {
    const Result r = cyanrig("run orphan_check --no-results --progress quiet --seed " + seed);
    EXPECT_EQ(r.exit_code, 2) << seed << r.out;
    EXPECT_THAT(r.err, HasSubstr("--seed")) << seed;
    EXPECT_THAT(r.err,
                HasSubstr("takes a whole number from 0 to 18446744073709551615, found '" + seed + "'"));
  }
  const Result largest =
      cyanrig("run orphan_check --no-results --progress plain --seed 18446744073709551615");
  EXPECT_EQ(largest.exit_code, 0) << largest.err;
  EXPECT_THAT(largest.out, HasSubstr("seed 18446744073709551615"));
}

TEST_F(Cli, ListShowsShippedScenariosAndDevices) {
  const Result scenarios = cyanrig("list");
  EXPECT_EQ(scenarios.exit_code, 0);
  for (const char* name :
       {"reboot_during_outage", "sleep_recovery", "ota_update", "connect_time_slo", "orphan_check"}) {
    EXPECT_THAT(scenarios.out, HasSubstr(name));
  }
  const Result devices = cyanrig("list devices");
  EXPECT_THAT(devices.out, HasSubstr("boron-1"));
  EXPECT_THAT(devices.out, HasSubstr("lab-cellular"));
}
