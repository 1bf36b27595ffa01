// Tiny Particle application binaries for tests: a module prefix (rig/core/particle_module.hpp,
// module_info_t, little-endian) followed by filler and the 4-byte CRC slot, `size` bytes in all, so
// the prefix's end address matches the file unless a test says otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace cyanrig::test {

struct ParticleModule {
  int platform_id = 12;  // argon
  int function = 5;      // user part
  std::uint32_t start = 0x000d4000;
  std::size_t size = 48;
  std::uint8_t flags = 0;
  std::uint32_t end_offset = 0;  // added to the end address the size gives (a wrong header)
};

inline std::string particle_module_bytes(const ParticleModule& m) {
  std::string out(m.size, '\xa5');
  const auto put = [&](std::size_t at, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes && at + i < out.size(); ++i) out[at + i] = static_cast<char>(value >> (8 * i));
  };
  const std::uint32_t end = m.start + static_cast<std::uint32_t>(m.size) - 4 + m.end_offset;
  put(0, m.start, 4);
  put(4, end, 4);
  put(8, 0, 1);  // reserved
  put(9, m.flags, 1);
  put(10, 0x1234, 2);  // module_version
  put(12, static_cast<std::uint32_t>(m.platform_id), 2);
  put(14, static_cast<std::uint32_t>(m.function), 1);
  put(15, 1, 1);  // module_index
  return out;
}

inline std::filesystem::path write_particle_module(const std::filesystem::path& path,
                                                   const ParticleModule& m) {
  std::ofstream(path, std::ios::binary) << particle_module_bytes(m);
  return path;
}

}  // namespace cyanrig::test
