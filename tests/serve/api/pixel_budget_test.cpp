#include "serve/api/pixel_budget.h"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::serve::api {
namespace {

using Clock = std::chrono::steady_clock;

TEST(PixelBudget, ReservesAndGivesBack) {
  PixelBudget budget(100);
  {
    auto a = budget.acquire(60, Clock::now());
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(budget.in_use(), 60);
    EXPECT_FALSE(budget.acquire(50, Clock::now()).has_value());  // does not fit, no time to wait
    auto b = budget.acquire(40, Clock::now());
    EXPECT_TRUE(b.has_value());
    EXPECT_EQ(budget.in_use(), 100);
  }
  EXPECT_EQ(budget.in_use(), 0);
}

TEST(PixelBudget, AWaiterGetsInWhenPixelsAreFreed) {
  PixelBudget budget(100);
  auto a = std::make_optional(budget.acquire(100, Clock::now()));
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    a.reset();
  });
  auto b = budget.acquire(70, Clock::now() + std::chrono::seconds(30));
  releaser.join();
  EXPECT_TRUE(b.has_value());
  EXPECT_EQ(budget.in_use(), 70);
}

TEST(PixelBudget, ARequestLargerThanTheBudgetRunsAlone) {
  PixelBudget budget(100);
  auto big = budget.acquire(500, Clock::now());
  ASSERT_TRUE(big.has_value());
  EXPECT_FALSE(budget.acquire(1, Clock::now()).has_value());
  EXPECT_TRUE(budget.acquire(0, Clock::now()).has_value());  // nothing to hold, never waits
}

}  // namespace
}  // namespace sluice::serve::api
