// Faults injected at start (--fault) and at run time (POST /admin/faults):
// throttling, errors, slowness, outages, expired tokens, missing
// transcripts.
#include <atomic>
#include <future>

#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

Reply work(const SimProcess& sim, const std::string& resource) {
  return sim.send("POST", "/sim/" + resource + "/work", "");
}

TEST(ProviderSimFaults, ThrottleForTheNextRequestsWithRetryAfter) {
  SimProcess sim({"--in-flight-grace-ms", "600000"});
  ASSERT_EQ(
      sim.addFault({{"kind", "rate_limit"}, {"resource", "t"}, {"retry_after_s", 7}, {"count", 2}})
          .status,
      200);
  for (int i = 0; i < 2; ++i) {
    const Reply reply = work(sim, "t");
    EXPECT_EQ(reply.status, 429);
    EXPECT_EQ(reply.header("retry-after"), "7");
  }
  EXPECT_EQ(work(sim, "t").status, 200);
  EXPECT_EQ(work(sim, "other").status, 200);
  EXPECT_EQ(sim.stats("t")["sent_429"], 2);
  EXPECT_EQ(sim.stats("t")["violations"], 0);  // the fault's, not the limit's
}

TEST(ProviderSimFaults, FaultFromTheCommandLineAppliesFromTheStart) {
  SimProcess sim({"--fault", "error:e:status=502,count=1"});
  EXPECT_EQ(work(sim, "e").status, 502);
  EXPECT_EQ(work(sim, "e").status, 200);
  EXPECT_EQ(sim.stats("e")["sent_5xx"], 1);
}

TEST(ProviderSimFaults, ErrorWithRetryAfterOpensARetryAfterWindow) {
  SimProcess sim({"--in-flight-grace-ms", "0"});
  sim.addFault({{"kind", "error"},
                {"resource", "e"},
                {"status", 503},
                {"retry_after_s", 3600},
                {"count", 1}});
  const Reply reply = work(sim, "e");
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.header("retry-after"), "3600");
  EXPECT_EQ(work(sim, "e").status, 200);
  EXPECT_EQ(sim.stats("e")["retry_after_violations"], 1);
}

TEST(ProviderSimFaults, ErrorsForADurationEndByThemselves) {
  SimProcess sim;
  sim.addFault({{"kind", "error"}, {"resource", "d"}, {"duration_s", 1}});
  EXPECT_EQ(work(sim, "d").status, 500);
  EXPECT_TRUE(waitFor([&] { return work(sim, "d").status == 200; }, 30s));
}

TEST(ProviderSimFaults, ClearingFaultsEndsThem) {
  SimProcess sim;
  sim.addFault({{"kind", "error"}, {"resource", "*"}, {"duration_s", 3600}});
  EXPECT_EQ(work(sim, "a").status, 500);
  EXPECT_EQ(sim.admin("faults")["faults"].size(), 1u);
  EXPECT_EQ(sim.send("DELETE", "/admin/faults", "").status, 200);
  EXPECT_EQ(work(sim, "a").status, 200);
}

TEST(ProviderSimFaults, OutageAnswers503WithoutRetryAfterOrClosesTheConnection) {
  SimProcess sim;
  sim.addFault({{"kind", "outage"}, {"resource", "o"}, {"duration_s", 3600}});
  const Reply reply = work(sim, "o");
  EXPECT_EQ(reply.status, 503);
  EXPECT_TRUE(reply.header("retry-after").empty());
  sim.addFault({{"kind", "outage"}, {"resource", "c"}, {"mode", "close"}, {"duration_s", 3600}});
  const Reply closed = work(sim, "c");
  EXPECT_EQ(closed.status, 0);
  EXPECT_NE(closed.curl, CURLE_OK);
}

// One I/O thread: the slow answers wait on timers, not on the thread.
TEST(ProviderSimFaults, SlowAnswersDoNotHoldUpOtherConnections) {
  SimProcess sim({"--threads", "1"});
  sim.addFault({{"kind", "slow"}, {"resource", "slow"}, {"delay_ms", 8000}, {"count", 2}});
  std::atomic<int> slow_done{0};
  auto slow = [&] {
    const Reply r = work(sim, "slow");
    ++slow_done;
    return r.status;
  };
  auto first = std::async(std::launch::async, slow);
  auto second = std::async(std::launch::async, slow);
  ASSERT_TRUE(waitFor([&] { return sim.stats("slow")["requests"] == 2; }, 30s));
  EXPECT_EQ(work(sim, "fast").status, 200);
  EXPECT_EQ(slow_done.load(), 0);
  EXPECT_EQ(first.get(), 200);
  EXPECT_EQ(second.get(), 200);
}

TEST(ProviderSimFaults, ExpiredTokensGetEachProvidersAnswer) {
  SimProcess sim;
  const json user = sim.dataset()["users"][3];
  ASSERT_EQ(sim.addFault({{"kind", "expire_token"}, {"platform", "graph"}, {"user", user["email"]}})
                .status,
            200);
  ASSERT_EQ(sim.addFault({{"kind", "expire_token"}, {"platform", "zoom"}, {"user", 4}}).status,
            200);
  const Reply graph = sim.get("/graph/v1.0/me/onlineMeetings", user["graph_token"]);
  EXPECT_EQ(graph.status, 401);
  EXPECT_EQ(graph.asJson(), json::parse(R"({"error":{"code":"InvalidAuthenticationToken",
                            "message":"Access token has expired or is not yet valid."}})"));
  EXPECT_EQ(graph.header("www-authenticate"),
            R"(Bearer error="invalid_token", error_description="The access token expired")");
  const Reply zoom = sim.get("/zoom/v2/users/me/recordings", user["zoom_token"]);
  EXPECT_EQ(zoom.status, 401);
  EXPECT_EQ(zoom.asJson(), json::parse(R"({"code":124,"message":"Access token is expired."})"));
  EXPECT_TRUE(sim.dataset()["users"][3]["graph_token_expired"].get<bool>());
  // Other users are unaffected.
  EXPECT_EQ(
      sim.get("/graph/v1.0/me/onlineMeetings", sim.dataset()["users"][0]["graph_token"]).status,
      200);
  EXPECT_EQ(
      sim.addFault({{"kind", "expire_token"}, {"platform", "graph"}, {"user", "nobody"}}).status,
      404);
}

TEST(ProviderSimFaults, MissingTranscriptFaultRemovesATranscript) {
  SimProcess sim({"--missing-transcript-ratio", "0"});
  const json dataset = sim.dataset();
  for (const json& user : dataset["users"]) {
    if (user["graph_meetings"].empty()) {
      continue;
    }
    const std::string meeting = user["graph_meetings"][0]["id"];
    ASSERT_EQ(sim.addFault({{"kind", "missing_transcript"}, {"meeting", meeting}}).status, 200);
    const std::string path = "/graph/v1.0/me/onlineMeetings/" + meeting + "/transcripts";
    EXPECT_TRUE(sim.get(path, user["graph_token"]).asJson()["value"].empty());
    EXPECT_EQ(sim.get(path + "/" + user["graph_meetings"][0]["transcript_id"].get<std::string>() +
                          "/content",
                      user["graph_token"])
                  .status,
              404);
    const json after = sim.dataset()["users"][user["index"].get<int>() - 1];
    EXPECT_FALSE(after["graph_meetings"][0]["has_transcript"].get<bool>());
    return;
  }
  FAIL() << "no user has Graph meetings";
}

TEST(ProviderSimFaults, BadFaultsAreRefusedWithAReason) {
  SimProcess sim;
  for (const json& bad :
       {json({{"kind", "meteor"}, {"resource", "x"}}), json({{"kind", "error"}}),
        json({{"kind", "error"}, {"resource", "x"}, {"status", 200}}),
        json({{"kind", "slow"}, {"resource", "x"}}),
        json({{"kind", "error"}, {"resource", "x"}, {"count", 1}, {"duration_s", 1}})}) {
    const Reply reply = sim.addFault(bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_TRUE(reply.asJson()["error"].contains("message")) << reply.body;
  }
  EXPECT_EQ(sim.send("POST", "/admin/faults", "{oops").status, 400);
  EXPECT_TRUE(sim.admin("faults")["faults"].empty());
}

}  // namespace
}  // namespace gantry::test::sim
