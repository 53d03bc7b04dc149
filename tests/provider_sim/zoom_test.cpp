// The simulated Zoom API: recordings by date range with next_page_token
// paging, TRANSCRIPT files whose download_url points back at the
// simulator, and its 401s.
#include "sim_harness.h"

namespace gantry::test::sim {
namespace {

constexpr const char* kRange = "from=2025-12-30&to=2026-01-01";

TEST(ProviderSimZoom, ListsRecordingsPageByPageAndDownloadsTranscripts) {
  SimProcess sim({"--missing-transcript-ratio", "0.3", "--limit", "zoom.recordings=100000/s"});
  size_t transcripts = 0;
  size_t without = 0;
  const json dataset = sim.dataset();
  for (const json& user : dataset["users"]) {
    const std::string token = user["zoom_token"];
    std::vector<std::string> ids;
    std::string page_token;
    for (int page = 0; page < 20; ++page) {
      const Reply reply =
          sim.get("/zoom/v2/users/" + user["email"].get<std::string>() + "/recordings?" + kRange +
                      "&page_size=2&next_page_token=" + page_token,
                  token);
      ASSERT_EQ(reply.status, 200) << reply.body;
      const json body = reply.asJson();
      EXPECT_EQ(body["total_records"].get<size_t>(), user["zoom_meetings"].size());
      for (const json& m : body["meetings"]) {
        ids.push_back(std::to_string(m["id"].get<int64_t>()));
        const json* transcript = nullptr;
        for (const json& f : m["recording_files"]) {
          if (f["file_type"] == "TRANSCRIPT") {
            transcript = &f;
          }
        }
        if (transcript == nullptr) {
          ++without;
          continue;
        }
        const std::string url = (*transcript)["download_url"];
        ASSERT_EQ(url.rfind(sim.base() + "/zoom/v2/", 0), 0u) << url;
        const Reply file = perform({"GET", url, {"Authorization: Bearer " + token}});
        ASSERT_EQ(file.status, 200) << file.body;
        EXPECT_EQ(file.body.rfind("WEBVTT\n\n1\n", 0), 0u) << file.body.substr(0, 40);
        EXPECT_EQ(file.body.size(), (*transcript)["file_size"].get<size_t>());
        ++transcripts;
      }
      page_token = body["next_page_token"];
      if (page_token.empty()) {
        break;
      }
    }
    std::vector<std::string> expected;
    for (const json& m : user["zoom_meetings"]) {
      expected.push_back(m["id"]);
    }
    EXPECT_EQ(ids, expected) << user["email"];
  }
  EXPECT_GT(transcripts, 0u);
  EXPECT_GT(without, 0u);
}

TEST(ProviderSimZoom, DownloadTakesTheTokenAsAQueryParameterToo) {
  SimProcess sim({"--missing-transcript-ratio", "0"});
  const json dataset = sim.dataset();
  for (const json& user : dataset["users"]) {
    if (user["zoom_meetings"].empty()) {
      continue;
    }
    const std::string file = user["zoom_meetings"][0]["transcript_id"];
    const std::string path = "/zoom/v2/recording/download/" + file;
    EXPECT_EQ(sim.get(path).status, 401);
    EXPECT_EQ(sim.get(path + "?access_token=" + user["zoom_token"].get<std::string>()).status, 200);
    return;
  }
  FAIL() << "no user has Zoom meetings";
}

TEST(ProviderSimZoom, RefusesBadDatesAndUnknownTokens) {
  SimProcess sim;
  const json user = sim.dataset()["users"][0];
  const std::string path = "/zoom/v2/users/me/recordings?";
  EXPECT_EQ(sim.get(path + "from=yesterday", user["zoom_token"]).status, 400);
  EXPECT_EQ(sim.get(path + "from=2025-01-01&to=2025-06-01", user["zoom_token"]).status, 400);
  const Reply unknown = sim.get(path + kRange, "sim-zoom-nonsense");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(unknown.asJson()["code"], 124);
  EXPECT_EQ(sim.get("/zoom/v2/users/me", user["zoom_token"]).asJson()["email"], user["email"]);
}

}  // namespace
}  // namespace gantry::test::sim
