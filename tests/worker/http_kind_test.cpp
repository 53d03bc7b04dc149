// The http kind: its settings, and its handler against a real local server.
// The whole path through a broker and a worker process is in
// tests/integration/http_kind_test.cpp.
#include "gantry/worker/http_kind.h"

#include <gtest/gtest.h>

#include "gantry/worker/builtin_handlers.h"
#include "support/http_get.h"
#include "support/http_test_server.h"

namespace gantry::worker {
namespace {

using namespace std::chrono_literals;

TEST(HttpKindEntry, ParsesKindUrlAndResource) {
  auto spec = parseHttpKindEntry("sync=https://app.example/jobs/sync?a=1,2,resource=graph");
  ASSERT_TRUE(spec.isOk()) << spec.status().message();
  EXPECT_EQ(spec->kind, "sync");
  EXPECT_EQ(spec->url, "https://app.example/jobs/sync?a=1,2");
  EXPECT_EQ(spec->resource, "graph");

  auto plain = parseHttpKindEntry("render=http://127.0.0.1:8080/render");
  ASSERT_TRUE(plain.isOk()) << plain.status().message();
  EXPECT_EQ(plain->url, "http://127.0.0.1:8080/render");
  EXPECT_TRUE(plain->resource.empty());
}

TEST(HttpKindEntry, RefusesWhatIsNotKindEqualsHttpUrl) {
  EXPECT_FALSE(parseHttpKindEntry("sync").isOk());
  EXPECT_FALSE(parseHttpKindEntry("=http://app.example/").isOk());
  EXPECT_FALSE(parseHttpKindEntry("my kind=http://app.example/").isOk());
  EXPECT_FALSE(parseHttpKindEntry("sync=app.example/jobs").isOk());
  EXPECT_FALSE(parseHttpKindEntry("sync=http://app.example/,resource=").isOk());
  const auto ftp = parseHttpKindEntry("sync=ftp://app.example/jobs");
  ASSERT_FALSE(ftp.isOk());
  EXPECT_NE(ftp.status().message().find("only http:// and https://"), std::string::npos)
      << ftp.status().message();
}

class HttpKinds : public ::testing::Test {
 protected:
  HttpKinds() { EXPECT_TRUE(addBuiltinHandlers(registry_).isOk()); }
  Status add(std::vector<std::string> entries, std::string ca_file = "") {
    return addHttpKinds(registry_, {.entries = std::move(entries), .ca_file = std::move(ca_file)});
  }
  HandlerRegistry registry_;
};

TEST_F(HttpKinds, RegistersEachKindWithItsResource) {
  ASSERT_TRUE(add({"a=http://app.example/a,resource=graph", "b=http://app.example/b"}).isOk());
  ASSERT_NE(registry_.find("a"), nullptr);
  ASSERT_NE(registry_.find("b"), nullptr);
  EXPECT_EQ(registry_.find("a")->resources(), std::vector<std::string>{"graph"});
  EXPECT_TRUE(registry_.find("b")->resources().empty());
}

TEST_F(HttpKinds, ProblemsAreOneLineNamingTheSetting) {
  const Status scheme = add({"a=ftp://app.example/a"});
  EXPECT_EQ(scheme.message(),
            "--http-kind (GANTRY_HTTP_KINDS): 'a=ftp://app.example/a' has a URL that has scheme "
            "'ftp'; only http:// and https:// are allowed");
  const Status twice = add({"a=http://app.example/a", "a=http://app.example/b"});
  EXPECT_NE(twice.message().find("names kind 'a' a second time"), std::string::npos)
      << twice.message();
  const Status builtin = add({"noop=http://app.example/noop"});
  EXPECT_NE(builtin.message().find("names kind 'noop', which is built in"), std::string::npos)
      << builtin.message();
  const Status ca = add({"a=https://app.example/a"}, "/nonexistent/ca.pem");
  EXPECT_EQ(ca.message(),
            "--http-ca-file (GANTRY_HTTP_CA_FILE): '/nonexistent/ca.pem' cannot be read");
  EXPECT_EQ(registry_.find("a"), nullptr);
}

TEST_F(HttpKinds, QueryStringsAreNotShownInErrors) {
  const Status status = add({"noop=http://app.example/x?key=s3cret"});
  EXPECT_FALSE(status.isOk());
  EXPECT_EQ(status.message().find("s3cret"), std::string::npos) << status.message();
}

class HttpKindHandler : public ::testing::Test {
 protected:
  HandlerResult run(const std::string& path_and_query, std::string payload,
                    std::string traceparent = "") {
    JobInfo info;
    info.job_id = 42;
    info.queue = "media";
    info.kind = "render";
    info.attempt = 2;
    info.payload = std::move(payload);
    info.deadline_ms = SystemClock::instance().wallMs() + 60000;
    info.traceparent = std::move(traceparent);
    deadline_ms_ = info.deadline_ms;
    JobContext ctx(std::move(info), std::make_shared<CancelToken>(), {});
    const auto handler =
        makeHttpKindHandler({.kind = "render", .url = server_.url(path_and_query)}, client_);
    return handler->run(ctx);
  }

  test::HttpTestServer server_;
  std::shared_ptr<http::HttpClient> client_ =
      std::make_shared<http::HttpClient>(httpKindClientOptions({}));
  TimeMs deadline_ms_ = 0;
};

TEST_F(HttpKindHandler, PostsThePayloadWithTheJobsHeaders) {
  const std::string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const HandlerResult result = run("/render?body=done", R"({"episode": 7})", traceparent);
  EXPECT_EQ(result.outcome, wire::OUTCOME_SUCCEEDED) << result.error;
  EXPECT_EQ(result.result, "done");
  const auto seen = server_.waitForRequests(1, 10s);
  ASSERT_EQ(seen.size(), 1u);
  const auto& headers = seen[0]["headers"];
  EXPECT_EQ(seen[0]["method"], "POST");
  EXPECT_EQ(seen[0]["body"], R"({"episode": 7})");
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(headers["gantry-job-id"], "42");
  EXPECT_EQ(headers["gantry-attempt"], "2");
  EXPECT_EQ(headers["gantry-queue"], "media");
  EXPECT_EQ(headers["gantry-kind"], "render");
  EXPECT_EQ(headers["gantry-deadline"], std::to_string(deadline_ms_));
  EXPECT_EQ(headers["traceparent"], traceparent);
  EXPECT_EQ(headers["idempotency-key"], "42");
}

TEST_F(HttpKindHandler, PayloadThatIsNotJsonIsSentAsOctetStream) {
  EXPECT_EQ(run("/render", "not json {").outcome, wire::OUTCOME_SUCCEEDED);
  const auto seen = server_.waitForRequests(1, 10s);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0]["headers"]["content-type"], "application/octet-stream");
  EXPECT_FALSE(seen[0]["headers"].contains("traceparent"));
}

TEST_F(HttpKindHandler, DegradedHeaderMakesAPartialSuccess) {
  const HandlerResult result =
      run("/render?body=most&header=" +
              test::urlEncode(R"(Gantry-Degraded:[{"what":"clip 3","reason":"encoder busy"}])"),
          "{}");
  EXPECT_EQ(result.outcome, wire::OUTCOME_SUCCEEDED);
  EXPECT_EQ(result.result, "most");
  ASSERT_TRUE(result.isPartial());
  ASSERT_EQ(result.degraded.size(), 1u);
  EXPECT_EQ(result.degraded[0].what, "clip 3");
  EXPECT_EQ(result.degraded[0].reason, "encoder busy");
}

TEST_F(HttpKindHandler, UnreadableDegradedHeaderStillShows) {
  const HandlerResult result = run("/render?header=Gantry-Degraded:oops", "{}");
  ASSERT_TRUE(result.isPartial());
  EXPECT_EQ(result.degraded[0].what, "Gantry-Degraded header");
  EXPECT_NE(result.degraded[0].reason.find("unreadable"), std::string::npos);
}

TEST_F(HttpKindHandler, EmptyDegradedListIsAFullSuccess) {
  const HandlerResult result = run("/render?header=" + test::urlEncode("Gantry-Degraded:[]"), "{}");
  EXPECT_EQ(result.outcome, wire::OUTCOME_SUCCEEDED);
  EXPECT_FALSE(result.isPartial());
}

TEST_F(HttpKindHandler, ResultOverOneMebibyteIsFatal) {
  const HandlerResult result =
      run("/render?body_bytes=" + std::to_string(kMaxHttpKindResultBytes + 1), "{}");
  EXPECT_EQ(result.outcome, wire::OUTCOME_FATAL);
  EXPECT_NE(result.error.find("larger than the limit of 1048576 bytes"), std::string::npos)
      << result.error;
  EXPECT_EQ(run("/render?body_bytes=" + std::to_string(kMaxHttpKindResultBytes), "{}").outcome,
            wire::OUTCOME_SUCCEEDED);
}

TEST_F(HttpKindHandler, ErrorStatusesMapAsClassifySays) {
  EXPECT_EQ(run("/render?status=400", "{}").outcome, wire::OUTCOME_FATAL);
  EXPECT_EQ(run("/render?status=500", "{}").outcome, wire::OUTCOME_RETRYABLE);
  const HandlerResult limited = run("/render?status=429&header=Retry-After:4", "{}");
  EXPECT_EQ(limited.outcome, wire::OUTCOME_RETRYABLE);
  EXPECT_EQ(limited.retry_after_ms, 4000u);
}

}  // namespace
}  // namespace gantry::worker
