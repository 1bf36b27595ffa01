// Callbacks bound to an object's lifetime: once the Lifetime is destroyed they do nothing. Backends
// keep one as their last member, so an answer that arrives after the backend is gone is dropped.
#pragma once

#include <memory>
#include <utility>

namespace cyanrig {

class Lifetime {
 public:
  template <typename Fn>
  auto bind(Fn fn) const {
    return [alive = std::weak_ptr<const bool>(alive_), fn = std::move(fn)](auto&&... args) {
      if (!alive.expired()) fn(std::forward<decltype(args)>(args)...);
    };
  }

 private:
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

}  // namespace cyanrig
