// The built-in handlers called directly, without a worker or sockets.
#include "gantry/worker/builtin_handlers.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <utility>

namespace gantry::worker {
namespace {

class BuiltinHandlers : public ::testing::Test {
 protected:
  BuiltinHandlers() { EXPECT_TRUE(addBuiltinHandlers(registry_).isOk()); }

  HandlerResult run(const std::string& kind, std::string payload, uint32_t attempt = 1) {
    JobInfo info;
    info.job_id = 1;
    info.kind = kind;
    info.payload = std::move(payload);
    info.attempt = attempt;
    JobContext ctx(std::move(info), token_, {});
    return registry_.find(kind)->run(ctx);
  }

  HandlerRegistry registry_;
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
};

TEST_F(BuiltinHandlers, NoopSucceedsWithEmptyResult) {
  const auto result = run("noop", "ignored");
  EXPECT_EQ(result.outcome, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result, "");
}

TEST_F(BuiltinHandlers, EchoReturnsThePayloadBytes) {
  const std::string payload("a\0b\xff", 4);
  const auto result = run("echo", payload);
  EXPECT_EQ(result.outcome, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result, payload);
}

TEST_F(BuiltinHandlers, FatalAlwaysFails) {
  EXPECT_EQ(run("fatal", "", 1).outcome, wire::OUTCOME_FATAL);
  EXPECT_EQ(run("fatal", "", 5).outcome, wire::OUTCOME_FATAL);
}

TEST_F(BuiltinHandlers, FlakyFailsWhileAttemptIsAtMostK) {
  const auto first = run("flaky", "2", 1);
  EXPECT_EQ(first.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(first.error, "flaky: failing attempt 1 of 2");
  const auto second = run("flaky", "2", 2);
  EXPECT_EQ(second.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(second.error, "flaky: failing attempt 2 of 2");
  EXPECT_EQ(run("flaky", "2", 3).outcome, wire::OUTCOME_SUCCEEDED);
}

TEST_F(BuiltinHandlers, FlakyWithBadPayloadIsFatal) {
  EXPECT_EQ(run("flaky", "two").outcome, wire::OUTCOME_FATAL);
}

TEST_F(BuiltinHandlers, SleepWithBadPayloadIsFatalWithoutEchoingIt) {
  for (const char* payload : {"", "abc", "-5", "10ms", " 10", "99999999999999999999999"}) {
    const auto result = run("sleep", payload);
    EXPECT_EQ(result.outcome, wire::OUTCOME_FATAL) << "payload '" << payload << "'";
    EXPECT_NE(result.error.find("decimal number of milliseconds"), std::string::npos);
  }
}

TEST_F(BuiltinHandlers, SleepBeyondTheLimitIsFatal) {
  const auto result = run("sleep", std::to_string(kMaxSleepMs + 1));
  EXPECT_EQ(result.outcome, wire::OUTCOME_FATAL);
  EXPECT_NE(result.error.find("exceeds the limit"), std::string::npos);
}

TEST_F(BuiltinHandlers, SleepOfZeroSucceeds) {
  EXPECT_EQ(run("sleep", "0").outcome, wire::OUTCOME_SUCCEEDED);
}

TEST_F(BuiltinHandlers, SleepEndsWhenItsTokenIsCancelled) {
  auto sleeping = std::async(std::launch::async, [&] { return run("sleep", "3600000"); });
  token_->cancel(CancelReason::kCancelled);
  ASSERT_EQ(sleeping.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "sleep ignored its cancel token";
  const auto result = sleeping.get();
  EXPECT_EQ(result.outcome, wire::OUTCOME_CANCELLED);
  EXPECT_NE(result.error.find("cancelled"), std::string::npos);
}

TEST_F(BuiltinHandlers, LongSleepReportsProgressEverySecond) {
  std::promise<std::pair<uint32_t, std::string>> first_report;
  std::once_flag once;
  JobInfo info;
  info.kind = "sleep";
  info.payload = "2500";
  JobContext ctx(std::move(info), token_, [&](uint32_t percent, std::string message) {
    std::call_once(once, [&] { first_report.set_value({percent, std::move(message)}); });
  });
  auto reported = first_report.get_future();
  auto sleeping = std::async(std::launch::async, [&] { return registry_.find("sleep")->run(ctx); });
  ASSERT_EQ(reported.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(reported.get(), std::make_pair(40u, std::string("slept 1000 of 2500 ms")));
  token_->cancel(CancelReason::kCancelled);
  EXPECT_EQ(sleeping.get().outcome, wire::OUTCOME_CANCELLED);
}

}  // namespace
}  // namespace gantry::worker
