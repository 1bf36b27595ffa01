// The recorded-log corpus under tests/devos/corpus: one file per situation a scenario waits for.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cyanrig::testing {

inline std::string corpus_path(const std::string& name) {
  return std::string(CYANRIG_SOURCE_DIR) + "/tests/devos/corpus/" + name;
}

inline std::vector<std::string> corpus_lines(const std::string& name) {
  std::ifstream file(corpus_path(name), std::ios::binary);
  if (!file) throw std::runtime_error("missing corpus file " + corpus_path(name));
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);  // CR stays: the parser strips it
  return lines;
}

inline const std::vector<std::string>& corpus_files() {
  static const std::vector<std::string> kFiles{
      "argon_wifi_boot.log", "boron_cellular_boot.log", "photon_gen2_boot.log", "ota_success.log",
      "ota_failure.log",     "sleep_disconnect.log",    "wifi_outage.log",      "handshake_failure.log",
      "listening_mode.log",  "panic_sos.log",
  };
  return kFiles;
}

}  // namespace cyanrig::testing
