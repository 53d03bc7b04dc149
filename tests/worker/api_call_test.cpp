// callApi() against a real local HTTP server, with a recording limiter.
#include "gantry/worker/api_call.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "gantry/trace/tracer.h"
#include "support/http_test_server.h"
#include "support/otlp_receiver.h"

namespace gantry::worker {
namespace {

using namespace std::chrono_literals;

// Grants or refuses permits as told and keeps every report.
class RecordingLimiter final : public ResourceLimiter {
 public:
  struct Report {
    std::string resource;
    wire::ResourceSignal signal;
    uint64_t retry_after_ms;
  };

  Status acquire(const JobInfo&, CancelToken&, std::string_view resource, uint32_t count) override {
    const std::lock_guard lock(mutex_);
    acquired_.emplace_back(resource);
    EXPECT_EQ(count, 1u);
    return answer_;
  }
  void report(std::string_view resource, wire::ResourceSignal signal,
              uint64_t retry_after_ms) override {
    const std::lock_guard lock(mutex_);
    reports_.push_back({std::string(resource), signal, retry_after_ms});
  }

  void refuseWith(Status answer) { answer_ = std::move(answer); }
  std::vector<std::string> acquired() {
    const std::lock_guard lock(mutex_);
    return acquired_;
  }
  std::vector<Report> reports() {
    const std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  Status answer_;
  std::vector<std::string> acquired_;
  std::vector<Report> reports_;
};

class ApiCall : public ::testing::Test {
 protected:
  JobContext context(AttemptTrace trace = {}) {
    JobInfo info;
    info.job_id = 7;
    info.kind = "sync";
    info.attempt = 1;
    info.deadline_ms = deadline_ms_;
    return {std::move(info), token_, {}, trace, &limiter_};
  }
  http::HttpRequest get(const std::string& path_and_query) {
    return {.method = "GET", .url = server_.url(path_and_query)};
  }

  test::HttpTestServer server_;
  http::HttpClient client_;
  RecordingLimiter limiter_;
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
  TimeMs deadline_ms_ = 0;
};

TEST_F(ApiCall, SuccessTakesAPermitAndReportsTheResourceUp) {
  JobContext ctx = context();
  ApiCallResult call = callApi(ctx, client_, get("/me?body=hello"), "graph");
  ASSERT_TRUE(call.ok()) << call.failure.error;
  EXPECT_EQ(call.response->body, "hello");
  EXPECT_EQ(limiter_.acquired(), std::vector<std::string>{"graph"});
  ASSERT_EQ(limiter_.reports().size(), 1u);
  EXPECT_EQ(limiter_.reports()[0].resource, "graph");
  EXPECT_EQ(limiter_.reports()[0].signal, wire::RESOURCE_OK);
}

TEST_F(ApiCall, PushbackOnAResourceIsAResourceFailureThatWaits) {
  JobContext ctx = context();
  const ApiCallResult call =
      callApi(ctx, client_, get("/me?status=503&header=Retry-After:2"), "graph");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(call.failure.resource, "graph");
  EXPECT_EQ(call.failure.retry_after_ms, 2000u);
  ASSERT_EQ(limiter_.reports().size(), 1u);
  EXPECT_EQ(limiter_.reports()[0].signal, wire::RESOURCE_PUSHBACK);
  EXPECT_EQ(limiter_.reports()[0].retry_after_ms, 2000u);
}

TEST_F(ApiCall, WithoutAResourceNothingIsAcquiredOrReported) {
  JobContext ctx = context();
  const ApiCallResult call = callApi(ctx, client_, get("/me?status=429&header=Retry-After:3"), "");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(call.failure.retry_after_ms, 3000u);
  EXPECT_TRUE(call.failure.resource.empty());
  EXPECT_TRUE(limiter_.acquired().empty());
  EXPECT_TRUE(limiter_.reports().empty());
}

TEST_F(ApiCall, ServerErrorWithoutRetryAfterIsPlainRetryable) {
  JobContext ctx = context();
  const ApiCallResult call = callApi(ctx, client_, get("/me?status=500"), "graph");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(call.failure.retry_after_ms, 0u);
  EXPECT_EQ(limiter_.reports().at(0).signal, wire::RESOURCE_FAILURE);
}

TEST_F(ApiCall, ClientErrorIsFatalWithTheUpstreamsWords) {
  JobContext ctx = context();
  const ApiCallResult call =
      callApi(ctx, client_, get("/me?status=404&body=no+such+user"), "graph");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_FATAL);
  EXPECT_NE(call.failure.error.find("HTTP 404"), std::string::npos) << call.failure.error;
  EXPECT_NE(call.failure.error.find("no such user"), std::string::npos) << call.failure.error;
  EXPECT_EQ(limiter_.reports().at(0).signal, wire::RESOURCE_OK);
}

TEST_F(ApiCall, UnknownResourceIsFatalAndNothingIsCalled) {
  limiter_.refuseWith(invalidArgument("the broker has no limit for 'grpah'"));
  JobContext ctx = context();
  const ApiCallResult call = callApi(ctx, client_, get("/me"), "grpah");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_FATAL);
  EXPECT_NE(call.failure.error.find("no limit for 'grpah'"), std::string::npos);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ApiCall, OpenCircuitIsAResourceFailureAndNothingIsCalled) {
  limiter_.refuseWith(unavailable("circuit open"));
  JobContext ctx = context();
  const ApiCallResult call = callApi(ctx, client_, get("/me"), "graph");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(call.failure.resource, "graph");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ApiCall, CancelStopsACallInProgress) {
  JobContext ctx = context();
  std::thread canceller([&] {
    server_.waitForRequests(1, 10s);
    token_->cancel(CancelReason::kCancelled);
  });
  const ApiCallResult call = callApi(ctx, client_, get("/slow?delay_ms=60000"), "graph");
  canceller.join();
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_CANCELLED);
  EXPECT_TRUE(limiter_.reports().empty());
}

TEST_F(ApiCall, JobDeadlineBoundsTheCall) {
  deadline_ms_ = SystemClock::instance().wallMs() + 200;
  JobContext ctx = context();
  const ApiCallResult call = callApi(ctx, client_, get("/slow?delay_ms=60000"), "");
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.failure.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_NE(call.failure.error.find("the job's deadline"), std::string::npos) << call.failure.error;
}

TEST_F(ApiCall, RecordsAClientSpanWithHttpAttributesAndNoQuery) {
  test::OtlpReceiver receiver;
  trace::TracerConfig config;
  config.endpoint = receiver.endpoint();
  config.schedule_delay_ms = 10;
  trace::Tracer tracer(config, "api-call-test");
  const trace::SpanContext parent{trace::newTraceId(), trace::newSpanId(), true};
  {
    JobContext ctx = context({.span = parent, .tracer = &tracer});
    const ApiCallResult call = callApi(
        ctx, client_, {.method = "POST", .url = server_.url("/jobs?status=502&key=s3cret")}, "");
    EXPECT_FALSE(call.ok());
  }
  tracer.flush(10s);
  const auto spans = test::spansNamed(receiver.waitForSpans(1, 10s), "POST");
  ASSERT_EQ(spans.size(), 1u);
  const auto& span = spans[0];
  EXPECT_EQ(span["kind"], 3);  // CLIENT
  EXPECT_EQ(span["parent_span_id"], parent.spanIdHex());
  const auto& attributes = span["attributes"];
  EXPECT_EQ(attributes["http.request.method"], "POST");
  EXPECT_EQ(attributes["url.full"], "http://127.0.0.1:" + std::to_string(server_.port()) + "/jobs");
  EXPECT_EQ(attributes["server.address"], "127.0.0.1");
  EXPECT_EQ(attributes["server.port"], server_.port());
  EXPECT_EQ(attributes["http.response.status_code"], 502);
  EXPECT_EQ(attributes["error.type"], "502");
  EXPECT_EQ(span["status"]["code"], 2);  // ERROR
  EXPECT_EQ(span.dump().find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace gantry::worker
