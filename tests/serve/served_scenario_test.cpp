// End to end: `cyanrig sim serve --write-rack` in one process, `cyanrig run` against the rack file
// it wrote in another, everything between them real (ptys, HTTP, shell commands, real time).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "serve_process.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cyanrig::test::ServeProcess;
using cyanrig::test::slurp;
using ::testing::HasSubstr;

namespace {

TEST(ServedScenario, TheSmokeScenarioPassesThroughRealBackends) {
  const fs::path dir = fs::temp_directory_path() / ("cyanrig-served-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path rack = dir / "served.yaml";

  ServeProcess server(dir, rack);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(rack) && server.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(fs::exists(rack)) << server.out() << server.err();
  EXPECT_EQ(fs::status(dir / "served.token").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  const std::string run = std::string("cd ") + CYANRIG_SOURCE_DIR + " && " + CYANRIG_BINARY + " run --rack " +
                          rack.string() + " scenarios/served_smoke.yaml --progress plain --results " +
                          (dir / "results").string() + " >" + (dir / "run.out").string() + " 2>" +
                          (dir / "run.err").string();
  const int status = std::system(run.c_str());
  const std::string out = slurp(dir / "run.out");
  EXPECT_EQ(WEXITSTATUS(status), 0) << out << slurp(dir / "run.err") << slurp(rack);
  EXPECT_THAT(out, HasSubstr("overall: PASS (exit 0)"));

  std::vector<fs::path> results;
  if (fs::exists(dir / "results")) {
    for (const auto& e : fs::directory_iterator(dir / "results")) results.push_back(e.path());
  }
  ASSERT_EQ(results.size(), 1U);
  EXPECT_EQ(nlohmann::json::parse(slurp(results[0] / "summary.json"))["exit_code"], 0);
  // The serial log came through the pty, the cloud's answers over HTTP.
  EXPECT_THAT(slurp(results[0] / "serial" / "argon-1.log"), HasSubstr("Cloud connected"));
  EXPECT_THAT(slurp(results[0] / "serial" / "p2-1.log"), HasSubstr("Cloud connected"));

  EXPECT_EQ(server.terminate(10s), 0) << server.err();
  EXPECT_THAT(server.out(), HasSubstr("stopped"));
  fs::remove_all(dir);
}

}  // namespace
