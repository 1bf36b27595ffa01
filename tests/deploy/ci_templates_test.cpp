// The CI templates under deploy/ci (shown whole in docs/ci.md) parsed as GitLab and GitHub read them:
// every job is pinned to its rack by the labels `cyanrig rack labels` prints, runs one at a time per
// rack, is retried on exit 3 and nothing else, and collects junit.xml from where `cyanrig run` puts
// it. The GitHub retry loop is run for real against a stand-in cyanrig.
#include <fmt/format.h>
#include <fnmatch.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using cyanrig::test::file_text;
using ::testing::Contains;
using ::testing::HasSubstr;

const fs::path kCi = fs::path(CYANRIG_SOURCE_DIR) / "deploy" / "ci";

// Runs `command` through /bin/sh: exit status, stdout in `out`.
int shell(const std::string& command, std::string& out) {
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 256> buffer{};
  out.clear();
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> strings(const YAML::Node& node) {
  std::vector<std::string> out;
  if (node.IsScalar()) out.push_back(node.as<std::string>());
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

// The folder a `cyanrig run ... --results DIR` line writes to.
std::string results_folder(const std::string& script) {
  static const std::regex kResults("cyanrig run [^\\n]*--results ([^ \\n]+)");
  std::smatch m;
  return std::regex_search(script, m, kResults) ? m[1].str() : "";
}

// What `cyanrig rack labels` prints for a rack called `name`.
std::vector<std::string> labels_of_rack(const std::string& name) {
  cyanrig::test::TempDir dir("cyanrig-ci-test");
  const fs::path rack = dir.path() / (name + ".yaml");
  std::ofstream(rack) << fmt::format(
      "rack: {}\nsafe_power: off\ndevices:\n  - {{name: argon-1, id: e00fce68aabbccddeeff0001, platform: "
      "argon,\n"
      "     power: {{backend: command, on: 'true', off: 'true'}}}}\n",
      name);
  std::string out;
  EXPECT_EQ(shell(fmt::format("{} rack labels --rack {}", CYANRIG_BINARY, rack.string()), out), 0);
  std::vector<std::string> labels;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) labels.push_back(line);
  return labels;
}

// `cyanrig run` on the built-in rack with --results DIR, from `cwd`: where junit.xml lands, relative.
std::vector<std::string> junit_files_written(const fs::path& cwd, const std::string& results) {
  std::string out;
  EXPECT_EQ(
      shell(fmt::format("cd {} && {} run reboot_during_outage --seed 3 --progress quiet --results {} 2>&1",
                        cwd.string(), CYANRIG_BINARY, results),
            out),
      0)
      << out;
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(cwd)) {
    if (entry.path().filename() == "junit.xml") files.push_back(fs::relative(entry.path(), cwd).string());
  }
  return files;
}

class GitlabTemplate : public ::testing::Test {
 protected:
  YAML::Node ci_ = YAML::LoadFile((kCi / "gitlab-ci.yml").string());
  YAML::Node rack_job_ = ci_[".cyanrig-rack"];
};

TEST_F(GitlabTemplate, EveryJobRunsOnItsRacksRunnerOneAtATimePerRack) {
  int jobs = 0;
  for (const auto& item : ci_) {
    const std::string name = item.first.as<std::string>();
    const YAML::Node job = item.second;
    if (!job.IsMap() || name.starts_with(".") || !job["extends"]) continue;
    ++jobs;
    EXPECT_EQ(job["extends"].as<std::string>(), ".cyanrig-rack") << name;
    for (const char* key : {"tags", "resource_group", "retry", "script", "artifacts"}) {
      EXPECT_FALSE(job[key]) << name << " overrides " << key;
    }
    for (const auto& entry : job["parallel"]["matrix"])
      EXPECT_TRUE(entry["RACK"]) << name << ": a job per rack";
  }
  EXPECT_EQ(jobs, 2) << "gate and nightly";
  EXPECT_EQ(strings(rack_job_["tags"]), std::vector<std::string>{"cyanrig-rack-$RACK"});
  EXPECT_EQ(rack_job_["resource_group"].as<std::string>(), "cyanrig-rack-$RACK");
  // The tag is what `cyanrig rack labels` prints first for that rack.
  EXPECT_EQ(labels_of_rack("lab-a").front(), "cyanrig-rack-lab-a");
}

TEST_F(GitlabTemplate, RetriedOnExit3AndNothingElse) {
  const YAML::Node retry = rack_job_["retry"];
  ASSERT_TRUE(retry.IsMap());
  EXPECT_GE(retry["max"].as<int>(), 1);
  EXPECT_EQ(strings(retry["exit_codes"]), std::vector<std::string>{"3"});
  EXPECT_FALSE(retry["when"]) << "retry:when would add failures other than exit 3";
}

TEST_F(GitlabTemplate, JunitComesFromWhereRunWritesItAndANightlyScheduleRunsEveryShippedScenario) {
  std::string script;
  for (const auto& line : rack_job_["script"]) script += line.as<std::string>() + "\n";
  const std::string results = results_folder(script);
  ASSERT_EQ(results, "results");
  const std::string junit = rack_job_["artifacts"]["reports"]["junit"].as<std::string>();
  EXPECT_EQ(rack_job_["artifacts"]["when"].as<std::string>(), "always")
      << "a failed run's report matters most";
  cyanrig::test::TempDir dir("cyanrig-ci-test");
  const auto written = junit_files_written(dir.path(), results);
  ASSERT_EQ(written.size(), 1U);
  EXPECT_EQ(::fnmatch(junit.c_str(), written.front().c_str(), FNM_PATHNAME), 0)
      << junit << " does not match " << written.front();

  EXPECT_THAT(ci_["nightly"]["rules"][0]["if"].as<std::string>(),
              HasSubstr("$CI_PIPELINE_SOURCE == \"schedule\""));
  const auto scenarios = strings(ci_["nightly"]["parallel"]["matrix"][0]["SCENARIO"]);
  for (const char* shipped :
       {"reboot_during_outage", "sleep_recovery", "ota_update", "connect_time_slo", "orphan_check"}) {
    EXPECT_THAT(scenarios, Contains(shipped));
  }
}

class GithubTemplate : public ::testing::Test {
 protected:
  YAML::Node workflow_ = YAML::LoadFile((kCi / "github-actions.yml").string());
  YAML::Node job_ = workflow_["jobs"]["hil"];

  // The text of the step whose name starts with `name`.
  YAML::Node step(const std::string& name) const {
    for (const auto& entry : job_["steps"]) {
      const YAML::Node& s = entry;  // a sequence's entry is the node (the iterator value is also a pair)
      if (s["name"] && s["name"].as<std::string>().starts_with(name)) return s;
    }
    ADD_FAILURE() << "no step " << name;
    return YAML::Node();
  }
};

TEST_F(GithubTemplate, EveryJobRunsOnItsRacksSelfHostedRunnerOneAtATimePerRack) {
  EXPECT_EQ(strings(job_["runs-on"]),
            (std::vector<std::string>{"self-hosted", "cyanrig-rack-${{ matrix.rack }}"}));
  EXPECT_EQ(job_["concurrency"]["group"].as<std::string>(), "cyanrig-rack-${{ matrix.rack }}");
  EXPECT_FALSE(job_["concurrency"]["cancel-in-progress"].as<bool>())
      << "a run cut short leaves a rack mid-outage";
  EXPECT_TRUE(workflow_["on"]["schedule"][0]["cron"]) << "the nightly run";
  EXPECT_EQ(labels_of_rack("lab-b").front(), "cyanrig-rack-lab-b");
}

TEST_F(GithubTemplate, TheRunStepRetriesOnExit3OnlyAndJunitComesFromWhereRunWritesIt) {
  const std::string script = step("run")["run"].as<std::string>();
  cyanrig::test::TempDir dir("cyanrig-ci-test");
  // A stand-in cyanrig that exits with the codes listed in `codes`, one per call, logging each call.
  const fs::path bin = dir.path() / "bin";
  fs::create_directories(bin);
  std::ofstream(bin / "cyanrig") << "#!/bin/sh\necho call >> \"$CALLS\"\ncode=$(head -n1 \"$CODES\")\n"
                                    "sed -i 1d \"$CODES\"\nexit \"$code\"\n";
  fs::permissions(bin / "cyanrig", fs::perms::owner_all);
  std::ofstream(dir.path() / "step.sh") << script;
  const auto attempt = [&](const std::string& codes) {
    std::ofstream(dir.path() / "codes") << codes;
    fs::remove(dir.path() / "calls");
    std::string out;
    const int code =
        shell(fmt::format("cd {0} && PATH={0}/bin:$PATH CODES={0}/codes CALLS={0}/calls SCENARIO=s "
                          "RACK_FILE=r bash -e step.sh >/dev/null 2>&1",
                          dir.path().string()),
              out);
    const std::string calls = file_text(dir.path() / "calls");
    return std::pair{code, static_cast<int>(std::count(calls.begin(), calls.end(), '\n'))};
  };
  EXPECT_EQ(attempt("0\n"), (std::pair{0, 1}));
  EXPECT_EQ(attempt("1\n"), (std::pair{1, 1})) << "a device failure is never retried";
  EXPECT_EQ(attempt("2\n"), (std::pair{2, 1}));
  EXPECT_EQ(attempt("3\n0\n"), (std::pair{0, 2})) << "an infrastructure error is";
  EXPECT_EQ(attempt("3\n3\n1\n"), (std::pair{1, 3}));
  EXPECT_EQ(attempt("3\n3\n3\n"), (std::pair{3, 3})) << "three attempts at most";

  const std::string results = results_folder(script);
  ASSERT_EQ(results, "results");
  const std::string junit = step("junit")["with"]["report_paths"].as<std::string>();
  EXPECT_EQ(step("keep")["with"]["path"].as<std::string>(), results + "/");
  const auto written = junit_files_written(dir.path(), results);
  ASSERT_EQ(written.size(), 1U);
  EXPECT_EQ(::fnmatch(junit.c_str(), written.front().c_str(), FNM_PATHNAME), 0)
      << junit << " does not match " << written.front();
}

TEST(CiDocs, ShowTheTemplatesAsTheyAre) {
  const std::string docs = file_text(fs::path(CYANRIG_SOURCE_DIR) / "docs" / "ci.md");
  for (const char* file : {"gitlab-ci.yml", "github-actions.yml"}) {
    EXPECT_THAT(docs, HasSubstr("```yaml\n" + file_text(kCi / file) + "```\n"))
        << file << " differs from docs/ci.md";
  }
}

}  // namespace
