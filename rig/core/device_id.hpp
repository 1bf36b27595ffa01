// A Particle device ID: 24 lowercase hex characters. Only constructible from valid text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cyanrig {

class DeviceId {
 public:
  // Accepts upper or lower case hex and stores lower case; anything else is nullopt.
  static std::optional<DeviceId> parse(std::string_view text);
  const std::string& str() const { return text_; }
  friend bool operator==(const DeviceId&, const DeviceId&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 in a defaulted <=>
  friend auto operator<=>(const DeviceId&, const DeviceId&) = default;

 private:
  explicit DeviceId(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace cyanrig
