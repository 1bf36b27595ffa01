// multipart/form-data for the OTA upload (PUT /v1/devices/{id}, the binary in field `file`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cyanrig {

struct MultipartBody {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::string body;
};

// One file field. The content is copied byte for byte (firmware is binary: NULs, CRLFs, anything);
// the boundary is drawn from `seed` and drawn again until it occurs nowhere in the content.
MultipartBody multipart_file(std::string_view field, std::string_view filename, std::string_view content,
                             std::uint64_t seed);

}  // namespace cyanrig
