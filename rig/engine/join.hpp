// Calls `done` once every one of `count` parts has arrived (at once when there are none).
#pragma once

#include <cstddef>
#include <functional>
#include <utility>

namespace cyanrig {

class Join {
 public:
  Join(std::size_t count, std::function<void()> done) : remaining_(count), done_(std::move(done)) {
    if (remaining_ == 0) done_();
  }
  void arrive() {
    if (remaining_ > 0 && --remaining_ == 0) done_();
  }

 private:
  std::size_t remaining_;
  std::function<void()> done_;
};

}  // namespace cyanrig
