#include "drivers/cloud/particle/multipart.hpp"

#include <fmt/format.h>

#include <random>

namespace cyanrig {
namespace {

// A quoted-string in Content-Disposition cannot carry quotes, backslashes or line breaks.
std::string quotable(std::string_view name) {
  std::string out;
  for (const char c : name) out += (c == '"' || c == '\\' || c == '\r' || c == '\n') ? '_' : c;
  return out;
}

}  // namespace

MultipartBody multipart_file(std::string_view field, std::string_view filename, std::string_view content,
                             std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string boundary;
  do {
    boundary = fmt::format("cyanrig-{:016x}{:016x}", random(), random());
  } while (content.find(boundary) != std::string_view::npos);
  MultipartBody out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  out.body = fmt::format(
      "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n",
      boundary, quotable(field), quotable(filename));
  out.body.append(content);
  out.body += fmt::format("\r\n--{}--\r\n", boundary);
  return out;
}

}  // namespace cyanrig
