#include "tests/support/rack_support.hpp"

#include <stdexcept>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::test {

namespace {
constexpr Duration kPoll = std::chrono::milliseconds(1);
}  // namespace

BackendSpec backend_spec(const std::string& yaml, const std::string& file) {
  Diagnostics diags;
  const auto node = load_yaml_text(yaml, file, diags);
  if (!node || !(*node)["backend"].IsScalar())
    throw std::logic_error("test backend block does not parse: " + yaml);
  return BackendSpec{(*node)["backend"].Scalar(), *node, loc_of(*node, file)};
}

bool run_until(Clock& clock, const std::function<bool()>& done, Duration limit) {
  const Instant deadline = clock.now() + limit;
  Timer poll;
  std::function<void()> check = [&] {
    if (done() || clock.now() >= deadline) return clock.stop();
    poll = clock.after(kPoll, check);
  };
  poll = clock.after(Duration::zero(), check);
  clock.run();
  return done();
}

}  // namespace cyanrig::test
