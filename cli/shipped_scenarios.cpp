#include "cli/shipped_scenarios.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <system_error>

namespace cyanrig::cli {
namespace {

namespace fs = std::filesystem;

// Edit distance, for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

std::vector<fs::path> scenario_folders() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("CYANRIG_SCENARIOS"); env != nullptr) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      if (end > start) candidates.emplace_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  candidates.emplace_back("scenarios");
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(self.parent_path().parent_path() / "share" / "cyanrig" / "scenarios");
    candidates.push_back(self.parent_path().parent_path().parent_path() / "scenarios");
  }
  std::vector<fs::path> folders;
  for (const fs::path& c : candidates) {
    if (!is_folder(c)) continue;
    const fs::path canonical = fs::weakly_canonical(c, ec);
    if (std::find(folders.begin(), folders.end(), canonical) == folders.end()) folders.push_back(canonical);
  }
  return folders;
}

std::vector<std::pair<std::string, fs::path>> shipped_scenarios() {
  std::map<std::string, fs::path> found;
  for (const fs::path& folder : scenario_folders()) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      if (entry.path().extension() == ".yaml" && entry.is_regular_file(ec))
        found.emplace(entry.path().stem().string(), entry.path());
    }
  }
  return {found.begin(), found.end()};
}

ScenarioChoice find_scenario(const std::string& arg) {
  std::error_code ec;
  if (is_folder(arg)) return {.problem = fmt::format("{}: is a folder, not a scenario file", arg)};
  if (fs::exists(arg, ec)) return {.file = arg};
  const std::string missing = fmt::format("{}: no such scenario file", arg);
  if (arg.find('/') != std::string::npos) return {.problem = missing};
  const std::string name = fs::path(arg).extension() == ".yaml" ? fs::path(arg).stem().string() : arg;
  const auto shipped = shipped_scenarios();
  for (const auto& [stem, file] : shipped) {
    if (stem == name) return {.file = file.string()};
  }
  std::string suggestion;
  std::size_t best = name.size() / 3 + 2;  // further than this is not a typo
  for (const auto& [stem, file] : shipped) {
    if (const std::size_t d = distance(name, stem); d < best) {
      best = d;
      suggestion = stem;
    }
  }
  std::string problem = missing + ", and no shipped scenario of that name";
  if (!suggestion.empty()) problem += fmt::format(" (did you mean {}?)", suggestion);
  return {.problem = problem + "; `cyanrig list` shows the shipped scenarios"};
}

}  // namespace cyanrig::cli
