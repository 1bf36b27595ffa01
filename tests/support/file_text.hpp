// What a file holds, whole: the output a test's child process wrote, a lock file, a doc page.
// Empty when the file is missing or unreadable (a test then fails on what it expected to find).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace cyanrig::test {

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cyanrig::test
