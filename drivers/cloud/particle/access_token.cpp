#include "drivers/cloud/particle/access_token.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

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

}  // namespace

AccessToken AccessToken::load(const std::optional<std::string>& from_environment,
                              const std::optional<std::filesystem::path>& token_file) {
  if (from_environment) {
    std::string token(trim(*from_environment));
    if (token.empty()) throw std::runtime_error(fmt::format("{} is set but empty", kTokenVariable));
    return AccessToken(std::move(token), kTokenVariable);
  }
  if (token_file) return AccessToken(read_token_file(*token_file), token_file->string());
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
