// Takes the cloud (or more) away from one network segment, and gives it back.
#pragma once

#include <string>
#include <string_view>

#include "rig/capabilities/status.hpp"

namespace cyanrig {

enum class OutageMode { cloud, internet, dns, link };
enum class OutageAction { drop, reject };

struct OutageSpec {
  OutageMode mode = OutageMode::cloud;
  OutageAction action = OutageAction::drop;
};

std::string_view to_string(OutageMode mode);
std::string_view to_string(OutageAction action);

class OutageSwitch {
 public:
  virtual ~OutageSwitch() = default;
  virtual void start(const OutageSpec& spec, Done done) = 0;
  // Lifting must work whatever state start() left things in, and be safe to call twice.
  virtual void stop(Done done) = 0;
  virtual bool active() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
