// The simulated providers' data: users, each with a Graph and a Zoom
// identity and token, and their meetings in a look-back window before an
// anchor time. Generated once from a seed, then immutable: every thread
// reads it without locks. What changes at run time (expired tokens, removed
// transcripts) lives in SimState, not here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/clock.h"

namespace gantry::sim {

enum class Platform { kGraph, kZoom };
// "graph", "zoom".
const char* platformName(Platform platform);

struct Meeting {
  Platform platform = Platform::kGraph;
  int user_index = 0;
  // Graph: the onlineMeeting id. Zoom: the numeric meeting id as text.
  std::string id;
  std::string zoom_uuid;  // Zoom only
  std::string subject;
  TimeMs start_ms = 0;
  TimeMs end_ms = 0;
  // As generated; SimState may remove a transcript at run time.
  bool has_transcript = false;
  // Graph: the transcript id. Zoom: the TRANSCRIPT recording file's id.
  std::string transcript_id;
  std::string video_file_id;  // Zoom only: the MP4 recording file's id
  uint64_t text_seed = 0;     // drives transcriptText()
};

struct User {
  int index = 0;  // 1-based; the N in userN@example.test
  std::string email;
  std::string display_name;
  std::string graph_id;  // a GUID
  std::string zoom_id;   // 22 characters, as Zoom's user ids
  std::string graph_token;
  std::string zoom_token;
  std::vector<Meeting> graph_meetings;  // by start time
  std::vector<Meeting> zoom_meetings;   // by start time
};

struct DatasetOptions {
  uint64_t seed = 1;
  uint32_t users = 20;
  double missing_transcript_ratio = 0.1;
  TimeMs anchor_ms = 0;  // meetings end before this wall time
  uint32_t lookback_hours = 48;
};

class Dataset {
 public:
  explicit Dataset(const DatasetOptions& options);
  // The indexes point into the users' vectors.
  Dataset(const Dataset&) = delete;
  Dataset& operator=(const Dataset&) = delete;

  const DatasetOptions& options() const { return options_; }
  const std::vector<User>& users() const { return users_; }

  // By email (any case), Graph id or Zoom id as the platform uses them;
  // nullptr when unknown.
  const User* findUser(Platform platform, std::string_view id_or_email) const;
  // The user whose valid token for `platform` this is; nullptr when none.
  const User* userByToken(Platform platform, std::string_view token) const;
  const Meeting* findMeeting(Platform platform, std::string_view id) const;
  // The Zoom meeting one of whose recording files (transcript or video)
  // has this id; nullptr when none.
  const Meeting* findZoomFile(std::string_view file_id) const;

 private:
  DatasetOptions options_;
  std::vector<User> users_;
  std::map<std::string, size_t, std::less<>> user_keys_;         // "<platform>:<id or email>"
  std::map<std::string, size_t, std::less<>> tokens_;            // "<platform>:<token>"
  std::map<std::string, const Meeting*, std::less<>> meetings_;  // "<platform>:<id>"
  std::map<std::string, const Meeting*, std::less<>> zoom_files_;
};

// The meeting's transcript: WebVTT with <v Speaker> voice tags for Graph,
// Zoom's VTT (numbered cues, "Speaker: text") for Zoom. Deterministic.
std::string transcriptText(const Meeting& meeting, const User& user);

// Wall time as ISO 8601 UTC: "2025-01-02T03:04:05Z", or with Graph's seven
// fractional digits "2025-01-02T03:04:05.0000000Z" when `graph_style`.
std::string isoTime(TimeMs wall_ms, bool graph_style = false);
// "2025-01-02".
std::string isoDate(TimeMs wall_ms);
// Parses ISO 8601 date-times ("2025-01-02T03:04:05[.fff][Z|+hh:mm]") and
// dates ("2025-01-02", as midnight UTC); -1 when malformed.
TimeMs parseIsoTime(std::string_view text);

}  // namespace gantry::sim
