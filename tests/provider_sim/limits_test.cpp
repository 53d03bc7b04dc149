// Rate limits are enforced and counted per resource; Retry-After is
// announced and early retries are counted.
#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

// Per hour, so that no token comes back while a test runs however slow
// the machine.
TEST(ProviderSimLimits, BurstBeyondTheLimitGetsOne429PerExtraRequest) {
  SimProcess sim({"--limit", "burst=5/h"});
  int ok = 0;
  int throttled = 0;
  for (int i = 0; i < 8; ++i) {
    const Reply reply = sim.send("POST", "/sim/burst/work", "");
    if (reply.status == 200) {
      ++ok;
    } else {
      ASSERT_EQ(reply.status, 429) << reply.body;
      EXPECT_GE(std::stoi(reply.header("retry-after")), 1);
      ++throttled;
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(throttled, 3);
  const json stats = sim.stats("burst");
  EXPECT_EQ(stats["requests"], 8);
  EXPECT_EQ(stats["served"], 5);
  EXPECT_EQ(stats["violations"], 3);
  EXPECT_EQ(stats["sent_429"], 3);
  EXPECT_EQ(stats["limit"]["requests"], 5);
  EXPECT_EQ(stats["limit"]["period_ms"], 3600000);
  EXPECT_EQ(stats["peak_per_period"], 8);
  EXPECT_LE(stats["first_request_unix_ms"].get<int64_t>(),
            stats["last_request_unix_ms"].get<int64_t>());
  EXPECT_EQ(sim.admin("requests?resource=burst")["arrivals_unix_ms"].size(), 8u);
}

TEST(ProviderSimLimits, RetryAfterIsWholeSecondsUntilATokenIsBack) {
  SimProcess sim({"--limit", "slow=1/min"});
  EXPECT_EQ(sim.send("POST", "/sim/slow/work", "").status, 200);
  const Reply refused = sim.send("POST", "/sim/slow/work", "");
  ASSERT_EQ(refused.status, 429);
  const int retry_after = std::stoi(refused.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
}

TEST(ProviderSimLimits, ProvidersAnswer429InTheirOwnShapes) {
  SimProcess sim(
      {"--limit", "graph=1/h", "--limit", "zoom.recordings=1/h", "--limit", "openai=1/h"});
  const json user = sim.dataset()["users"][0];
  sim.get("/graph/v1.0/me/onlineMeetings", user["graph_token"]);
  const Reply graph = sim.get("/graph/v1.0/me/onlineMeetings", user["graph_token"]);
  EXPECT_EQ(graph.status, 429);
  EXPECT_EQ(graph.asJson()["error"]["code"], "TooManyRequests");
  sim.get("/zoom/v2/users/me/recordings", user["zoom_token"]);
  const Reply zoom = sim.get("/zoom/v2/users/me/recordings", user["zoom_token"]);
  EXPECT_EQ(zoom.status, 429);
  EXPECT_EQ(zoom.asJson()["code"], 429);
  // Other Zoom calls have their own budget.
  EXPECT_EQ(sim.get("/zoom/v2/users/me", user["zoom_token"]).status, 200);
  const std::string chat = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
  sim.send("POST", "/openai/v1/chat/completions", chat, "sk-sim");
  const Reply openai = sim.send("POST", "/openai/v1/chat/completions", chat, "sk-sim");
  EXPECT_EQ(openai.status, 429);
  EXPECT_EQ(openai.asJson()["error"]["code"], "rate_limit_exceeded");
  EXPECT_FALSE(openai.header("retry-after").empty());
}

TEST(ProviderSimLimits, DefaultLimitsAreTheProvidersDocumentedOnes) {
  SimProcess sim;
  const json resources = sim.admin("stats")["resources"];
  EXPECT_EQ(resources["graph"]["limit"], json({{"requests", 100}, {"period_ms", 60000}}));
  EXPECT_EQ(resources["zoom.recordings"]["limit"], json({{"requests", 8}, {"period_ms", 1000}}));
  EXPECT_EQ(resources["zoom"]["limit"], json({{"requests", 60}, {"period_ms", 1000}}));
  EXPECT_EQ(resources["openai"]["limit"], json({{"requests", 10}, {"period_ms", 60000}}));
}

TEST(ProviderSimLimits, RequestsBeforeRetryAfterRanOutAreRetryAfterViolations) {
  SimProcess sim({"--limit", "ra=1/h", "--in-flight-grace-ms", "0"});
  EXPECT_EQ(sim.send("POST", "/sim/ra/work", "").status, 200);
  EXPECT_EQ(sim.send("POST", "/sim/ra/work", "").status, 429);  // opens the window
  EXPECT_EQ(sim.send("POST", "/sim/ra/work", "").status, 429);
  EXPECT_EQ(sim.send("POST", "/sim/ra/work", "").status, 429);
  const json stats = sim.stats("ra");
  EXPECT_EQ(stats["retry_after_violations"], 2);
  EXPECT_EQ(stats["violations"], 3);
}

TEST(ProviderSimLimits, RequestsWithinTheInFlightGraceAreNotRetryAfterViolations) {
  SimProcess sim({"--limit", "ra=1/h", "--in-flight-grace-ms", "600000"});
  for (int i = 0; i < 4; ++i) {
    sim.send("POST", "/sim/ra/work", "");
  }
  EXPECT_EQ(sim.stats("ra")["retry_after_violations"], 0);
  EXPECT_EQ(sim.stats("ra")["violations"], 3);
}

TEST(ProviderSimLimits, ResetZeroesCountersAndRefillsBuckets) {
  SimProcess sim({"--limit", "r=1/h"});
  sim.send("POST", "/sim/r/work", "");
  EXPECT_EQ(sim.send("POST", "/sim/r/work", "").status, 429);
  EXPECT_EQ(sim.send("POST", "/admin/reset", "").status, 200);
  EXPECT_EQ(sim.stats("r")["requests"], 0);
  EXPECT_EQ(sim.send("POST", "/sim/r/work", "").status, 200);
}

}  // namespace
}  // namespace gantry::test::sim
