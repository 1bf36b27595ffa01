// What every power backend promises the engine (rig/capabilities/power.hpp), checked against each
// backend that can run on this machine: `sim` on the virtual clock and `command` on the steady
// clock. (`gpiod` needs a /dev/gpiochip; its error paths are in gpiod_power_test.cpp.)
#include <gtest/gtest.h>

#include "power_rigs.hpp"

namespace cyanrig::power_testing {
namespace {

struct SimBackend {
  static std::unique_ptr<PowerRig> make() { return make_sim_power_rig(); }
};
struct CommandBackend {
  static std::unique_ptr<PowerRig> make() { return make_command_power_rig(); }
};

template <typename Backend>
class PowerConformance : public ::testing::Test {
 protected:
  PowerConformance() : rig_(Backend::make()) {}

  std::optional<Status> set_and_wait(PowerState state) {
    return power_testing::set_and_wait(rig_->clock(), rig_->power(), state, rig_->answer_limit());
  }

  std::unique_ptr<PowerRig> rig_;
};

class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SimBackend> ? "sim" : "command";
  }
};

using Backends = ::testing::Types<SimBackend, CommandBackend>;
TYPED_TEST_SUITE(PowerConformance, Backends, BackendNames);

TYPED_TEST(PowerConformance, OnOffOnEachSucceedAndTheSupplyFollows) {
  for (const PowerState state : {PowerState::on, PowerState::off, PowerState::on}) {
    const auto answer = this->set_and_wait(state);
    ASSERT_TRUE(answer.has_value()) << "no answer to " << to_string(state);
    EXPECT_TRUE(answer->ok()) << answer->message();
    EXPECT_EQ(this->rig_->observed(), state);
  }
}

TYPED_TEST(PowerConformance, TheAnswerNeverComesInsideSet) {
  Answers answers;
  this->rig_->power().set(PowerState::on, answers.next());
  EXPECT_EQ(answers.count(), 0U);
  EXPECT_TRUE(run_until(
      this->rig_->clock(), [&] { return answers.count() == 1; }, this->rig_->answer_limit()));
}

TYPED_TEST(PowerConformance, TwoSetsInARowBothAnswerInOrderAndTheLastOneWins) {
  Answers answers;
  std::vector<PowerState> order;
  const auto noting = [&](PowerState state) {
    return [&, state, next = answers.next()](Status status) {
      order.push_back(state);
      next(std::move(status));
    };
  };
  this->rig_->power().set(PowerState::on, noting(PowerState::on));
  this->rig_->power().set(PowerState::off, noting(PowerState::off));
  ASSERT_TRUE(run_until(
      this->rig_->clock(), [&] { return answers.count() == 2; }, 2 * this->rig_->answer_limit()));
  EXPECT_EQ(order, (std::vector<PowerState>{PowerState::on, PowerState::off}));
  EXPECT_TRUE(answers.got()[0].ok());
  EXPECT_TRUE(answers.got()[1].ok());
  EXPECT_EQ(this->rig_->observed(), PowerState::off);
}

TYPED_TEST(PowerConformance, AFailureComesBackAsAStatusWithAMessageNotAnException) {
  std::unique_ptr<PowerSwitch> failing = this->rig_->failing_switch();
  if (!failing) GTEST_SKIP() << "this backend has no way to fail a power change";
  Answers answers;
  EXPECT_NO_THROW(failing->set(PowerState::on, answers.next()));
  ASSERT_TRUE(run_until(
      this->rig_->clock(), [&] { return answers.count() == 1; }, this->rig_->answer_limit()));
  ASSERT_FALSE(answers.got()[0].ok());
  EXPECT_FALSE(answers.got()[0].message().empty());
}

TYPED_TEST(PowerConformance, DescribeSaysWhereThePowerComesFrom) {
  EXPECT_FALSE(this->rig_->power().describe().empty());
}

}  // namespace
}  // namespace cyanrig::power_testing
