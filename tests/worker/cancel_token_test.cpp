#include "gantry/worker/cancel_token.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace gantry::worker {
namespace {

using namespace std::chrono_literals;

TEST(CancelToken, StartsUncancelled) {
  CancelToken token;
  EXPECT_FALSE(token.isCancelled());
  EXPECT_EQ(token.reason(), CancelReason::kNone);
}

TEST(CancelToken, FirstReasonWins) {
  CancelToken token;
  EXPECT_TRUE(token.cancel(CancelReason::kTimeout));
  EXPECT_FALSE(token.cancel(CancelReason::kShutdown));
  EXPECT_EQ(token.reason(), CancelReason::kTimeout);
}

TEST(CancelToken, WaitForReturnsFalseWhenNotCancelled) {
  CancelToken token;
  EXPECT_FALSE(token.waitFor(1ms));
}

TEST(CancelToken, WaitForReturnsAtOnceWhenAlreadyCancelled) {
  CancelToken token;
  token.cancel(CancelReason::kCancelled);
  // An hour-long wait that returns proves it did not wait.
  EXPECT_TRUE(token.waitFor(std::chrono::hours(1)));
}

TEST(CancelToken, CancelWakesAWaiterOnAnotherThread) {
  CancelToken token;
  auto waiter =
      std::async(std::launch::async, [&] { return token.waitFor(std::chrono::hours(1)); });
  token.cancel(CancelReason::kShutdown);
  ASSERT_EQ(waiter.wait_for(5s), std::future_status::ready) << "waitFor did not wake on cancel";
  EXPECT_TRUE(waiter.get());
}

}  // namespace
}  // namespace gantry::worker
