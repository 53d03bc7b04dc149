// The simulated Microsoft Graph: meetings by window with @odata.nextLink
// paging, transcripts, their WebVTT content, and its 401s.
#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

// The first user with at least `n` Graph meetings.
json userWithMeetings(const json& data, size_t n) {
  for (const json& user : data["users"]) {
    if (user["graph_meetings"].size() >= n) {
      return user;
    }
  }
  return json();
}

TEST(ProviderSimGraph, ListsMeetingsPageByPageUntilNoNextLink) {
  SimProcess sim({"--users", "20"});
  const json user = userWithMeetings(sim.dataset(), 3);
  ASSERT_TRUE(user.is_object());
  const std::string token = user["graph_token"];
  std::string url =
      sim.base() + "/graph/v1.0/users/" + user["graph_id"].get<std::string>() +
      "/onlineMeetings?startDateTime=2025-12-30T00:00:00Z&endDateTime=2026-01-01T00:00:00Z&$top=2";
  std::vector<std::string> ids;
  for (int page = 0; page < 10 && !url.empty(); ++page) {
    const Reply reply = perform({"GET", url, {"Authorization: Bearer " + token}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    const json body = reply.asJson();
    EXPECT_LE(body["value"].size(), 2u);
    for (const json& m : body["value"]) {
      ids.push_back(m["id"]);
      EXPECT_EQ(m["participants"]["organizer"]["upn"], user["email"]);
    }
    url = body.value("@odata.nextLink", "");
  }
  std::vector<std::string> expected;
  for (const json& m : user["graph_meetings"]) {
    expected.push_back(m["id"]);
  }
  EXPECT_EQ(ids, expected);
}

TEST(ProviderSimGraph, WindowSelectsMeetingsByStartTime) {
  SimProcess sim;
  const json user = userWithMeetings(sim.dataset(), 2);
  ASSERT_TRUE(user.is_object());
  // A window from the second meeting's start leaves out the first.
  const json& second = user["graph_meetings"][1];
  const Reply reply = sim.get(
      "/graph/v1.0/me/onlineMeetings?$top=50&startDateTime=" + second["start"].get<std::string>(),
      user["graph_token"]);
  ASSERT_EQ(reply.status, 200) << reply.body;
  size_t expected = 0;
  for (const json& m : user["graph_meetings"]) {
    expected += m["start_unix_ms"] >= second["start_unix_ms"] ? 1 : 0;
  }
  const json value = reply.asJson()["value"];
  EXPECT_EQ(value.size(), expected);
  EXPECT_LT(expected, user["graph_meetings"].size());
}

TEST(ProviderSimGraph, DownloadsEachTranscriptAsWebVtt) {
  SimProcess sim({"--missing-transcript-ratio", "0.3", "--limit", "graph=100000/s"});
  size_t downloaded = 0;
  size_t missing = 0;
  const json dataset = sim.dataset();
  for (const json& user : dataset["users"]) {
    const std::string token = user["graph_token"];
    for (const json& m : user["graph_meetings"]) {
      const Reply list =
          sim.get("/graph/v1.0/users/" + user["email"].get<std::string>() + "/onlineMeetings/" +
                      m["id"].get<std::string>() + "/transcripts",
                  token);
      ASSERT_EQ(list.status, 200) << list.body;
      const json value = list.asJson()["value"];
      if (!m["has_transcript"].get<bool>()) {
        EXPECT_TRUE(value.empty());
        ++missing;
        continue;
      }
      ASSERT_EQ(value.size(), 1u);
      EXPECT_EQ(value[0]["id"], m["transcript_id"]);
      const Reply content =
          perform({"GET",
                   value[0]["transcriptContentUrl"].get<std::string>() + "?$format=text/vtt",
                   {"Authorization: Bearer " + token}});
      ASSERT_EQ(content.status, 200) << content.body;
      EXPECT_EQ(content.header("content-type"), "text/vtt");
      EXPECT_EQ(content.body.rfind("WEBVTT\n", 0), 0u);
      EXPECT_NE(content.body.find("<v "), std::string::npos);
      EXPECT_EQ(content.body.size(), m["transcript_bytes"].get<size_t>());
      ++downloaded;
    }
  }
  EXPECT_GT(downloaded, 0u);
  EXPECT_GT(missing, 0u);
}

TEST(ProviderSimGraph, RefusesMissingUnknownAndOtherUsersTokens) {
  SimProcess sim;
  const json data = sim.dataset();
  const std::string path =
      "/graph/v1.0/users/" + data["users"][0]["graph_id"].get<std::string>() + "/onlineMeetings";
  const Reply none = sim.get(path);
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.asJson()["error"]["code"], "InvalidAuthenticationToken");
  EXPECT_EQ(sim.get(path, "sim-graph-nonsense").status, 401);
  // A Zoom token is no Graph token.
  EXPECT_EQ(sim.get(path, data["users"][0]["zoom_token"]).status, 401);
  EXPECT_EQ(sim.get(path, data["users"][1]["graph_token"]).status, 403);
  EXPECT_EQ(sim.get(path, data["users"][0]["graph_token"]).status, 200);
}

}  // namespace
}  // namespace gantry::test::sim
