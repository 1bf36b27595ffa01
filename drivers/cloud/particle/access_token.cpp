#include "drivers/cloud/particle/access_token.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "rig/core/text.hpp"

namespace cyanrig {
namespace {

std::string read_token_file(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw std::runtime_error(
        fmt::format("cannot read the Particle token file {}: {}", path.string(), std::strerror(errno)));
  }
  if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
    throw std::runtime_error(fmt::format(
        "the Particle token file {} can be read by other users; run `chmod 600 {}` (or set {} instead)",
        path.string(), path.string(), kTokenVariable));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(fmt::format("cannot read the Particle token file {}", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  // Tokens are hex; the file may end with a newline or be indented by an editor.
  std::string token(trim(text.str()));
  if (token.empty()) {
    throw std::runtime_error(fmt::format("the Particle token file {} is empty", path.string()));
  }
  return token;
}

// RFC 6750's b64token: what a Bearer credential may contain. Particle's tokens are 40 hex
// characters; anything outside this (a CR or LF above all) would change the HTTP request itself.
bool in_token_alphabet(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

// Refuses a token with a character outside the alphabet, naming where it came from and the position,
// never the token.
std::string checked(std::string token, const std::string& source) {
  const auto bad = std::find_if_not(token.begin(), token.end(), in_token_alphabet);
  if (bad == token.end()) return token;
  const auto byte = static_cast<unsigned char>(*bad);
  const std::string what = byte == '\r'   ? "a carriage return (CR)"
                           : byte == '\n' ? "a line feed (LF)"
                           : byte == ' '  ? "a space"
                                          : fmt::format("the byte 0x{:02x}", byte);
  throw std::runtime_error(
      fmt::format("the Particle access token from {} contains {} at character {}: a token is letters, digits "
                  "and -._~+/= only "
                  "(was it pasted with a line break?); it was not used",
                  source, what, bad - token.begin() + 1));
}

}  // namespace

AccessToken AccessToken::load(const std::optional<std::string>& from_environment,
                              const std::optional<std::filesystem::path>& token_file) {
  if (from_environment) {
    std::string token(trim(*from_environment));
    if (token.empty()) throw std::runtime_error(fmt::format("{} is set but empty", kTokenVariable));
    return AccessToken(checked(std::move(token), kTokenVariable), kTokenVariable);
  }
  if (token_file)
    return AccessToken(checked(read_token_file(*token_file), token_file->string()), token_file->string());
  throw std::runtime_error(fmt::format(
      "no Particle access token: set {} in the environment, or name a token_file (mode 600) in the rack "
      "file's cloud section",
      kTokenVariable));
}

AccessToken AccessToken::load(const std::optional<std::filesystem::path>& token_file) {
  const char* value = std::getenv(kTokenVariable);
  return load(value == nullptr ? std::nullopt : std::optional<std::string>(value), token_file);
}

std::string AccessToken::redact(std::string text) const {
  for (auto at = text.find(secret_); at != std::string::npos; at = text.find(secret_, at)) {
    text.replace(at, secret_.size(), "[token]");
  }
  return text;
}

}  // namespace cyanrig
