// The data set is a function of the seed, the user count and the anchor.
#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

TEST(ProviderSimDataset, SameSeedGivesTheSameDataSet) {
  SimProcess a({"--seed", "7", "--users", "5"});
  SimProcess b({"--seed", "7", "--users", "5"});
  const json first = a.dataset();
  ASSERT_TRUE(first.is_object()) << a.get("/admin/dataset").body;
  EXPECT_EQ(first, b.dataset());
  ASSERT_EQ(first["users"].size(), 5u);
  const json& user = first["users"][2];
  EXPECT_EQ(user["email"], "user3@example.test");
  EXPECT_FALSE(user["graph_id"].get<std::string>().empty());
  EXPECT_FALSE(user["zoom_id"].get<std::string>().empty());
  EXPECT_NE(user["graph_token"], user["zoom_token"]);
}

TEST(ProviderSimDataset, OtherSeedGivesAnotherDataSet) {
  SimProcess a({"--seed", "1", "--users", "5"});
  SimProcess b({"--seed", "2", "--users", "5"});
  EXPECT_NE(a.dataset()["users"], b.dataset()["users"]);
}

TEST(ProviderSimDataset, MeetingsLieInTheLookBackWindowWithUpToSixPerPlatform) {
  SimProcess sim({"--users", "30"});
  const json data = sim.dataset();
  const int64_t start = data["window"]["start_unix_ms"];
  const int64_t end = data["window"]["end_unix_ms"];
  EXPECT_EQ(end, SimProcess::kAnchorMs);
  EXPECT_EQ(end - start, 48 * 3600 * 1000);
  size_t meetings = 0;
  for (const json& user : data["users"]) {
    for (const char* platform : {"graph_meetings", "zoom_meetings"}) {
      EXPECT_LE(user[platform].size(), 6u);
      for (const json& m : user[platform]) {
        ++meetings;
        EXPECT_GE(m["start_unix_ms"].get<int64_t>(), start);
        EXPECT_LT(m["end_unix_ms"].get<int64_t>(), end);
        EXPECT_LT(m["start_unix_ms"].get<int64_t>(), m["end_unix_ms"].get<int64_t>());
      }
    }
  }
  EXPECT_GT(meetings, 30u);
}

TEST(ProviderSimDataset, MissingTranscriptRatioDecidesWhichMeetingsHaveOne) {
  for (const auto& [ratio, expect_any, expect_all] :
       {std::tuple{"0", true, true}, std::tuple{"1", false, false}}) {
    SimProcess sim({"--users", "10", "--missing-transcript-ratio", ratio});
    bool any = false;
    bool all = true;
    const json dataset = sim.dataset();
    for (const json& user : dataset["users"]) {
      for (const json& m : user["graph_meetings"]) {
        any = any || m["has_transcript"].get<bool>();
        all = all && m["has_transcript"].get<bool>();
      }
    }
    EXPECT_EQ(any, expect_any) << ratio;
    EXPECT_EQ(all, expect_all) << ratio;
  }
}

TEST(ProviderSimDataset, BadConfigurationStopsWithExitCodeTwo) {
  const std::string dir = makeTempDir();
  ChildProcess sim(builtBinary("tools/provider_sim/gantry-provider-sim"), {"--limit", "graph=lots"},
                   {}, dir + "/sim.log");
  EXPECT_EQ(sim.waitExit(30s), 2);
  EXPECT_NE(sim.log().find("--limit"), std::string::npos) << sim.log();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gantry::test::sim
