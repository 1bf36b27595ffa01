// The Particle access token: where it comes from and how it is kept out of every message.
//
// The token is a credential for the whole account. It is read once at run start, lives only in an
// AccessToken, and leaves it only as an Authorization header value. Text that might echo it (a
// server's error body) goes through redact() before it reaches a reply, a log line or an exception.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cyanrig {

inline constexpr const char* kTokenVariable = "PARTICLE_ACCESS_TOKEN";

class AccessToken {
 public:
  // Resolution order: the environment variable (when set), else `token_file` (already resolved
  // against the rack file's folder). Throws std::runtime_error naming the cause and the fix, never
  // the token: no token at all, an empty one, an unreadable file, a file that group or others can
  // read, or a token with a character outside the Bearer token alphabet (RFC 6750: letters, digits,
  // -._~+/=), such as the CR or LF that would otherwise inject a header into every request.
  static AccessToken load(const std::optional<std::string>& from_environment,
                          const std::optional<std::filesystem::path>& token_file);
  // load() with the process environment.
  static AccessToken load(const std::optional<std::filesystem::path>& token_file);

  std::string authorization() const { return "Bearer " + secret_; }
  // `text` with every occurrence of the token replaced by "[token]".
  std::string redact(std::string text) const;
  // Where it came from, for describe(): "PARTICLE_ACCESS_TOKEN" or the file's path.
  const std::string& source() const { return source_; }

 private:
  AccessToken(std::string secret, std::string source)
      : secret_(std::move(secret)), source_(std::move(source)) {}
  std::string secret_;
  std::string source_;
};

}  // namespace cyanrig
