// Zoom API v2, the part meeting sync uses (under /zoom/v2):
//   GET /users/{userId}                     resource "zoom"
//   GET /users/{userId}/recordings?from=&to=&page_size=&next_page_token=
//                                           resource "zoom.recordings"
//   GET /meetings/{meetingId}/recordings    resource "zoom.recordings"
//   GET /recording/download/{fileId}        resource "zoom.recordings"
// {userId} is the Zoom user id, email or "me"; the bearer token (or, for
// downloads, ?access_token=) must be that user's.
#include <charconv>

#include "route.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

constexpr int kDefaultPageSize = 30;
constexpr int kMaxPageSize = 300;
constexpr TimeMs kDayMs = TimeMs{24} * 3600 * 1000;
constexpr TimeMs kMaxRangeMs = 31 * kDayMs;
constexpr size_t kVideoBytes = 4096;

std::string downloadUrl(const EndpointContext& ctx, const std::string& file_id) {
  return ctx.request.base_url + "/zoom/v2/recording/download/" + file_id;
}

json recordingFile(const EndpointContext& ctx, const Meeting& m, bool transcript, size_t size) {
  const std::string& id = transcript ? m.transcript_id : m.video_file_id;
  return {{"id", id},
          {"meeting_id", m.zoom_uuid},
          {"recording_start", isoTime(m.start_ms)},
          {"recording_end", isoTime(m.end_ms)},
          {"file_type", transcript ? "TRANSCRIPT" : "MP4"},
          {"file_extension", transcript ? "VTT" : "MP4"},
          {"file_size", size},
          {"play_url", "https://zoom.example.test/rec/play/" + id},
          {"download_url", downloadUrl(ctx, id)},
          {"status", "completed"},
          {"recording_type", transcript ? "audio_transcript" : "shared_screen_with_speaker_view"}};
}

json meetingJson(const EndpointContext& ctx, const User& user, const Meeting& m) {
  json files = json::array({recordingFile(ctx, m, false, kVideoBytes)});
  size_t total = kVideoBytes;
  if (!ctx.state.transcriptMissing(m)) {
    const size_t size = transcriptText(m, user).size();
    files.push_back(recordingFile(ctx, m, true, size));
    total += size;
  }
  return {{"uuid", m.zoom_uuid},
          {"id", std::stoll(m.id)},
          {"account_id", "sim-account"},
          {"host_id", user.zoom_id},
          {"topic", m.subject},
          {"type", 2},
          {"start_time", isoTime(m.start_ms)},
          {"timezone", "UTC"},
          {"duration", (m.end_ms - m.start_ms) / 60000},
          {"total_size", total},
          {"recording_count", files.size()},
          {"share_url", "https://zoom.example.test/rec/share/" + m.zoom_uuid},
          {"recording_files", files}};
}

const User* pathUser(const EndpointContext& ctx, HttpReply& error) {
  const std::string& id = ctx.params.at(0);
  const User* user = id == "me" ? ctx.user : ctx.dataset.findUser(Platform::kZoom, id);
  if (user == nullptr) {
    error = errorReply(Provider::kZoom, 404, "", "User does not exist: " + id + ".");
    return nullptr;
  }
  if (user != ctx.user) {
    error = errorReply(Provider::kZoom, 403, "", "No permission.");
    return nullptr;
  }
  return user;
}

bool parseInt(const std::string& text, int& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

HttpReply getUser(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = pathUser(ctx, error);
  if (user == nullptr) {
    return error;
  }
  const auto space = user->display_name.find(' ');
  return jsonReply(200, {{"id", user->zoom_id},
                         {"email", user->email},
                         {"first_name", user->display_name.substr(0, space)},
                         {"last_name", user->display_name.substr(space + 1)},
                         {"type", 2},
                         {"status", "active"},
                         {"timezone", "UTC"}});
}

HttpReply listRecordings(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = pathUser(ctx, error);
  if (user == nullptr) {
    return error;
  }
  const auto& q = ctx.request.query;
  const std::string today = isoDate(ctx.state.wallMs());
  const std::string from_text = q.count("from") ? q.at("from") : today;
  const std::string to_text = q.count("to") ? q.at("to") : today;
  const TimeMs from = parseIsoTime(from_text);
  const TimeMs to = parseIsoTime(to_text);
  if (from < 0 || to < 0 || from_text.size() != 10 || to_text.size() != 10) {
    return badRequestReply(Provider::kZoom, "from and to must be dates as yyyy-mm-dd");
  }
  if (to < from || to - from > kMaxRangeMs) {
    return badRequestReply(Provider::kZoom, "The date range must be at most one month.");
  }
  int page_size = kDefaultPageSize;
  if (q.count("page_size") &&
      (!parseInt(q.at("page_size"), page_size) || page_size < 1 || page_size > kMaxPageSize)) {
    return badRequestReply(Provider::kZoom, "page_size must be between 1 and 300");
  }
  int offset = 0;
  if (q.count("next_page_token") && !q.at("next_page_token").empty()) {
    const std::string& token = q.at("next_page_token");
    if (token.rfind("sim", 0) != 0 || !parseInt(token.substr(3), offset) || offset < 0) {
      return badRequestReply(Provider::kZoom, "Invalid next_page_token.");
    }
  }
  std::vector<const Meeting*> matching;
  for (const Meeting& m : user->zoom_meetings) {
    if (m.start_ms >= from && m.start_ms < to + kDayMs) {
      matching.push_back(&m);
    }
  }
  json meetings = json::array();
  const auto end = std::min(matching.size(), static_cast<size_t>(offset) + page_size);
  for (size_t i = static_cast<size_t>(offset); i < end; ++i) {
    meetings.push_back(meetingJson(ctx, *user, *matching[i]));
  }
  const size_t total = matching.size();
  return jsonReply(200, {{"from", from_text},
                         {"to", to_text},
                         {"page_count", (total + page_size - 1) / page_size},
                         {"page_size", page_size},
                         {"total_records", total},
                         {"next_page_token", end < total ? "sim" + std::to_string(end) : ""},
                         {"meetings", meetings}});
}

HttpReply meetingRecordings(const EndpointContext& ctx) {
  const Meeting* m = ctx.dataset.findMeeting(Platform::kZoom, ctx.params.at(0));
  if (m == nullptr || m->user_index != ctx.user->index) {
    return errorReply(Provider::kZoom, 404, "", "There is no recording for this meeting.");
  }
  return jsonReply(200, meetingJson(ctx, *ctx.user, *m));
}

HttpReply download(const EndpointContext& ctx) {
  const std::string& file_id = ctx.params.at(0);
  const Meeting* m = ctx.dataset.findZoomFile(file_id);
  if (m == nullptr || m->user_index != ctx.user->index ||
      (file_id == m->transcript_id && ctx.state.transcriptMissing(*m))) {
    return errorReply(Provider::kZoom, 404, "", "This recording does not exist.");
  }
  HttpReply reply;
  if (file_id == m->transcript_id) {
    reply.content_type = "text/vtt";
    reply.body = transcriptText(*m, *ctx.user);
  } else {
    reply.content_type = "application/octet-stream";
    reply.body.assign(kVideoBytes, '\0');
  }
  return reply;
}

}  // namespace

void addZoomRoutes(std::vector<Route>& routes) {
  routes.push_back({"GET", Provider::kZoom, "users/{}", "zoom", getUser});
  routes.push_back(
      {"GET", Provider::kZoom, "users/{}/recordings", "zoom.recordings", listRecordings});
  routes.push_back(
      {"GET", Provider::kZoom, "meetings/{}/recordings", "zoom.recordings", meetingRecordings});
  routes.push_back({"GET", Provider::kZoom, "recording/download/{}", "zoom.recordings", download});
}

}  // namespace gantry::sim
