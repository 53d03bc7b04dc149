// The http kind end to end: a real broker and gantry-worker process whose
// --http-kind entries point at a local app server (support/http_test_server.py);
// each kind's URL scripts one kind of answer. The outcome mapping itself is
// unit-tested in tests/http and tests/worker; this proves the wiring.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/cluster.h"
#include "support/http_get.h"
#include "support/http_test_server.h"

namespace gantry::test {
namespace {

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr uint32_t kMaxAttempts = 3;
constexpr uint64_t kRetryAfterMs = 1000;

class HttpKind : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.migrate();
    cluster_.startBroker();
    const std::string degraded =
        urlEncode(R"(Gantry-Degraded:[{"what":"clip 3","reason":"encoder busy"}])");
    const std::string expired = urlEncode(R"({"code":124,"message":"Access token is expired."})");
    std::vector<std::string> flags;
    for (const std::string& entry : {
             "ok=" + app_.url("/ok?body=done"),
             "degraded=" + app_.url("/degraded?body=partly&header=" + degraded),
             "limited=" + app_.url("/limited?status=429&header=Retry-After:1&fail_first=1"),
             "e500=" + app_.url("/e500?status=500"),
             "e503=" + app_.url("/e503?status=503"),
             "e408=" + app_.url("/e408?status=408"),
             "invalid=" + app_.url("/invalid?status=400&body=missing+field+%27episode%27"),
             "expired=" + app_.url("/expired?status=401&body=" + expired),
         }) {
      flags.insert(flags.end(), {"--http-kind", entry});
    }
    cluster_.startWorker(4, flags);
  }

  uint64_t submit(const std::string& kind, const std::string& payload = "{}") {
    wire::JobSpec spec = jobSpec(kind, payload);
    spec.set_max_attempts(kMaxAttempts);
    spec.set_traceparent(kTraceparent);
    const auto ids = cluster_.submitAll({spec});
    EXPECT_EQ(ids.size(), 1u);
    return ids.empty() ? 0 : ids[0];
  }

  // The job once it is final (succeeded, dead or cancelled), with its attempts.
  wire::GetReply waitForFinal(uint64_t id) {
    wire::GetReply last;
    const bool final = Cluster::waitFor(
        [&] {
          auto reply = cluster_.client().get(id, true);
          if (!reply.isOk()) {
            return false;
          }
          last = std::move(reply.value());
          const auto state = last.job().state();
          return state == wire::SUCCEEDED || state == wire::DEAD || state == wire::CANCELLED;
        },
        60s);
    EXPECT_TRUE(final) << "job " << id << " is not final: " << last.DebugString()
                       << cluster_.worker(0).log();
    return last;
  }

  // What the app received for job `id`, in arrival order.
  std::vector<nlohmann::json> requestsFor(uint64_t id) {
    std::vector<nlohmann::json> out;
    for (const auto& request : app_.requests()) {
      if (request["headers"].value("gantry-job-id", "") == std::to_string(id)) {
        out.push_back(request);
      }
    }
    return out;
  }

  HttpTestServer app_;
  Cluster cluster_;
};

TEST_F(HttpKind, SuccessStoresTheAnswerAndTheAppSeesTheJob) {
  const uint64_t id = submit("ok", R"({"episode":7})");
  const wire::GetReply reply = waitForFinal(id);
  EXPECT_EQ(reply.job().state(), wire::SUCCEEDED);
  EXPECT_EQ(reply.job().result(), "done");
  EXPECT_EQ(reply.job().attempt(), 1u);

  const auto requests = requestsFor(id);
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request["method"], "POST");
  EXPECT_EQ(request["body"], R"({"episode":7})");
  const auto& headers = request["headers"];
  EXPECT_EQ(headers["content-type"], "application/json");
  EXPECT_EQ(headers["gantry-attempt"], "1");
  EXPECT_EQ(headers["gantry-kind"], "ok");
  EXPECT_EQ(headers["gantry-queue"], "default");
  EXPECT_EQ(headers["idempotency-key"], std::to_string(id));
  EXPECT_TRUE(headers.contains("gantry-deadline"));
  // The worker's span for the attempt, in the submitter's trace.
  const std::string traceparent = headers.value("traceparent", "");
  EXPECT_EQ(traceparent.substr(0, 36), std::string(kTraceparent).substr(0, 36)) << traceparent;

  // gantryctl shows the same.
  const auto [code, output] = cluster_.gantryctl({"get", std::to_string(id), "--json"});
  ASSERT_EQ(code, 0) << output;
  const auto json = nlohmann::json::parse(output);
  EXPECT_EQ(json["job"]["state"], "succeeded");
  EXPECT_EQ(json["job"]["result"], "done");
}

TEST_F(HttpKind, DegradedAnswerSucceeds) {
  const uint64_t id = submit("degraded");
  const wire::GetReply reply = waitForFinal(id);
  EXPECT_EQ(reply.job().state(), wire::SUCCEEDED);
  EXPECT_EQ(reply.job().result(), "partly");
  ASSERT_EQ(reply.job().degraded_size(), 1);
  EXPECT_EQ(reply.job().degraded(0).what(), "clip 3");
  EXPECT_EQ(reply.job().degraded(0).reason(), "encoder busy");
  EXPECT_EQ(requestsFor(id).size(), 1u);
}

TEST_F(HttpKind, TooManyRequestsIsRetriedNoSoonerThanRetryAfter) {
  const uint64_t id = submit("limited");
  const wire::GetReply reply = waitForFinal(id);
  EXPECT_EQ(reply.job().state(), wire::SUCCEEDED);
  EXPECT_EQ(reply.job().attempt(), 2u);
  const auto requests = requestsFor(id);
  ASSERT_EQ(requests.size(), 2u);
  const int64_t gap =
      requests[1]["received_ms"].get<int64_t>() - requests[0]["received_ms"].get<int64_t>();
  EXPECT_GE(gap, static_cast<int64_t>(kRetryAfterMs));
  EXPECT_EQ(requests[1]["headers"]["gantry-attempt"], "2");
  EXPECT_EQ(requests[1]["headers"]["idempotency-key"], std::to_string(id));
}

TEST_F(HttpKind, ServerErrorsAndRequestTimeoutAreRetriedUntilDead) {
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"e500", "HTTP 500"}, {"e503", "HTTP 503"}, {"e408", "HTTP 408"}};
  std::vector<uint64_t> ids;
  ids.reserve(kinds.size());
  for (const auto& [kind, text] : kinds) {
    ids.push_back(submit(kind));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const wire::GetReply reply = waitForFinal(ids[i]);
    EXPECT_EQ(reply.job().state(), wire::DEAD) << kinds[i].first;
    EXPECT_EQ(reply.job().attempt(), kMaxAttempts) << kinds[i].first;
    EXPECT_EQ(reply.attempts_size(), static_cast<int>(kMaxAttempts)) << kinds[i].first;
    EXPECT_NE(reply.job().last_error().find(kinds[i].second), std::string::npos)
        << reply.job().last_error();
    EXPECT_EQ(requestsFor(ids[i]).size(), kMaxAttempts) << kinds[i].first;
  }
}

TEST_F(HttpKind, ClientErrorIsDeadAfterOneAttempt) {
  const uint64_t id = submit("invalid");
  const wire::GetReply reply = waitForFinal(id);
  EXPECT_EQ(reply.job().state(), wire::DEAD);
  EXPECT_EQ(reply.job().attempt(), 1u);
  EXPECT_EQ(requestsFor(id).size(), 1u);
  EXPECT_NE(reply.job().last_error().find(": HTTP 400: missing field 'episode'"), std::string::npos)
      << reply.job().last_error();
}

TEST_F(HttpKind, ExpiredTokenIsDeadWithAPlainReason) {
  const uint64_t id = submit("expired");
  const wire::GetReply reply = waitForFinal(id);
  EXPECT_EQ(reply.job().state(), wire::DEAD);
  EXPECT_EQ(reply.job().attempt(), 1u);
  EXPECT_EQ(reply.job().last_error(),
            "access token expired (401 from POST 127.0.0.1:" + std::to_string(app_.port()) +
                "/expired): refresh the user's OAuth token");
}

}  // namespace
}  // namespace gantry::test
