#include "gantry/sim/dataset.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "det_random.h"

namespace gantry::sim {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kBase62 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr int kMaxMeetingsPerPlatform = 6;
constexpr TimeMs kMinute = 60000;

constexpr std::string_view kFirstNames[] = {"Ada", "Grace", "Alan",     "Barbara", "Edsger",
                                            "Ken", "Linus", "Margaret", "Dennis",  "Frances"};
constexpr std::string_view kLastNames[] = {"Lovelace", "Hopper",   "Turing",   "Liskov",
                                           "Dijkstra", "Thompson", "Torvalds", "Hamilton",
                                           "Ritchie",  "Allen"};
constexpr std::string_view kTopics[] = {
    "Weekly sync", "Design review",      "Sprint planning", "Customer call", "Incident review",
    "1:1",         "Roadmap discussion", "Hiring panel",    "Budget review", "Architecture forum"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string guid(DetRandom& rng) {
  std::string hex = rng.chars(kHex, 32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

// Emails match in any case; ids and tokens exactly.
std::string key(Platform platform, std::string_view id) {
  return std::string(platformName(platform)) + ":" + std::string(id);
}
std::string userKey(Platform platform, std::string_view id_or_email) {
  return key(platform, id_or_email.find('@') == std::string_view::npos ? std::string(id_or_email)
                                                                       : lower(id_or_email));
}

// 0..6 meetings in the look-back window, each ending before the anchor.
std::vector<Meeting> makeMeetings(const DatasetOptions& options, const User& user,
                                  Platform platform) {
  DetRandom rng = DetRandom::of(
      {options.seed, static_cast<uint64_t>(user.index), platform == Platform::kGraph ? 1u : 2u});
  const int count = static_cast<int>(rng.between(0, kMaxMeetingsPerPlatform));
  const TimeMs window_start = options.anchor_ms - TimeMs{options.lookback_hours} * 60 * kMinute;
  std::vector<Meeting> meetings;
  for (int i = 0; i < count; ++i) {
    Meeting m;
    m.platform = platform;
    m.user_index = user.index;
    const TimeMs duration = rng.between(3, 18) * 5 * kMinute;  // 15..90 min
    // Whole minutes, starting inside the window and ending before the anchor.
    const TimeMs latest = options.anchor_ms - duration - 5 * kMinute;
    m.start_ms = rng.between(window_start / kMinute + 1, latest / kMinute) * kMinute;
    m.end_ms = m.start_ms + duration;
    m.subject = std::string(kTopics[rng.next() % std::size(kTopics)]);
    m.has_transcript = rng.unit() >= options.missing_transcript_ratio;
    m.text_seed = rng.next();
    if (platform == Platform::kGraph) {
      m.id = "MSo" + rng.chars(kBase62, 40);
      m.transcript_id = "MSMjMCMj" + rng.chars(kBase62, 32);
    } else {
      m.id = std::to_string(rng.between(81000000000, 89999999999));
      m.zoom_uuid = rng.chars(kBase62, 22) + "==";
      m.transcript_id = rng.chars(kHex, 8) + "-" + guid(rng).substr(9);
      m.video_file_id = rng.chars(kHex, 8) + "-" + guid(rng).substr(9);
    }
    meetings.push_back(std::move(m));
  }
  std::sort(meetings.begin(), meetings.end(),
            [](const Meeting& a, const Meeting& b) { return a.start_ms < b.start_ms; });
  return meetings;
}

}  // namespace

const char* platformName(Platform platform) {
  return platform == Platform::kGraph ? "graph" : "zoom";
}

Dataset::Dataset(const DatasetOptions& options) : options_(options) {
  users_.reserve(options.users);
  for (uint32_t i = 1; i <= options.users; ++i) {
    DetRandom rng = DetRandom::of({options.seed, i, 0});
    User user;
    user.index = static_cast<int>(i);
    user.email = "user" + std::to_string(i) + "@example.test";
    user.display_name = std::string(kFirstNames[rng.next() % std::size(kFirstNames)]) + " " +
                        std::string(kLastNames[rng.next() % std::size(kLastNames)]);
    user.graph_id = guid(rng);
    user.zoom_id = rng.chars(kBase62, 22);
    user.graph_token = "sim-graph-" + rng.chars(kHex, 32);
    user.zoom_token = "sim-zoom-" + rng.chars(kHex, 32);
    user.graph_meetings = makeMeetings(options, user, Platform::kGraph);
    user.zoom_meetings = makeMeetings(options, user, Platform::kZoom);
    users_.push_back(std::move(user));
  }
  for (size_t u = 0; u < users_.size(); ++u) {
    const User& user = users_[u];
    for (Platform p : {Platform::kGraph, Platform::kZoom}) {
      user_keys_[userKey(p, user.email)] = u;
    }
    user_keys_[userKey(Platform::kGraph, user.graph_id)] = u;
    user_keys_[userKey(Platform::kZoom, user.zoom_id)] = u;
    tokens_[key(Platform::kGraph, user.graph_token)] = u;
    tokens_[key(Platform::kZoom, user.zoom_token)] = u;
    for (const Meeting& m : user.graph_meetings) {
      meetings_[key(Platform::kGraph, m.id)] = &m;
    }
    for (const Meeting& m : user.zoom_meetings) {
      meetings_[key(Platform::kZoom, m.id)] = &m;
      meetings_[key(Platform::kZoom, m.zoom_uuid)] = &m;
      zoom_files_[m.transcript_id] = &m;
      zoom_files_[m.video_file_id] = &m;
    }
  }
}

const User* Dataset::findUser(Platform platform, std::string_view id_or_email) const {
  auto it = user_keys_.find(userKey(platform, id_or_email));
  return it == user_keys_.end() ? nullptr : &users_[it->second];
}

const User* Dataset::userByToken(Platform platform, std::string_view token) const {
  auto it = tokens_.find(key(platform, token));
  return it == tokens_.end() ? nullptr : &users_[it->second];
}

const Meeting* Dataset::findMeeting(Platform platform, std::string_view id) const {
  auto it = meetings_.find(key(platform, id));
  return it == meetings_.end() ? nullptr : it->second;
}

const Meeting* Dataset::findZoomFile(std::string_view file_id) const {
  auto it = zoom_files_.find(file_id);
  return it == zoom_files_.end() ? nullptr : it->second;
}

}  // namespace gantry::sim
