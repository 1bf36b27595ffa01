#include "tests/history/run_folders.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cyanrig::test {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

CommandResult cyanrig(const std::string& args, const fs::path& scratch) {
  fs::create_directories(scratch);
  const std::string cmd = std::string("cd ") + CYANRIG_SOURCE_DIR + " && " + CYANRIG_BINARY + " " + args +
                          " >" + (scratch / "out").string() + " 2>" + (scratch / "err").string();
  const int status = std::system(cmd.c_str());
  return {WEXITSTATUS(status), slurp(scratch / "out"), slurp(scratch / "err")};
}

fs::path rack_with_faults(const fs::path& dir, const std::string& device, const std::string& faults) {
  std::string rack = slurp(fs::path(CYANRIG_SOURCE_DIR) / "scenarios/racks/sim.yaml");
  const std::string name = device == "*" ? "[a-z0-9-]+" : device;
  rack = std::regex_replace(rack, std::regex("(\\{name: " + name + ",.*firmware: 1\\.0\\.0)\\}"),
                            "$1, faults: " + faults + "}");
  rack = std::regex_replace(rack, std::regex("rack: sim-lab"), "rack: sim-lab-faults");
  fs::path path = dir / ("rack-" + (device == "*" ? std::string("all") : device) + ".yaml");
  std::ofstream(path) << rack;
  return path;
}

fs::path run_folder(const fs::path& root, const std::string& args) {
  std::set<fs::path> before;
  if (fs::exists(root)) {
    for (const auto& e : fs::directory_iterator(root)) before.insert(e.path());
  }
  const CommandResult r =
      cyanrig("run " + args + " --no-history --progress quiet --results " + root.string(), root / ".scratch");
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory() && e.path().filename() != ".scratch" && !before.contains(e.path())) return e.path();
  }
  throw std::runtime_error("cyanrig run " + args + " wrote no results folder: " + r.err);
}

}  // namespace cyanrig::test
