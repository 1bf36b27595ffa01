// Runs a fuzz target's function over files, without libFuzzer: how the normal test suite (and the
// asan preset) replays the committed seeds and every input a fuzzer once crashed on. Arguments are
// files or folders (every file in a folder, in name order; a missing folder is skipped). Fails when
// no input at all was found, so a moved folder cannot turn the test into one that always passes.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_in(const fs::path& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  }
  return files;
}

void run(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replaying %s (%zu bytes)\n", file.c_str(), bytes.size());
  // libFuzzer hands over a buffer of exactly `size` bytes; a copy keeps ASan's bounds as tight.
  const std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    for (const fs::path& file : inputs_in(argv[i])) {
      run(file);
      ++count;
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "no input found in the folders given\n");
    return 1;
  }
  std::fprintf(stderr, "%zu inputs ran without a finding\n", count);
  return 0;
}
