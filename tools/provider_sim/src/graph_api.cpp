// Microsoft Graph v1.0, the part meeting sync uses (under /graph/v1.0):
//   GET /users/{id}/onlineMeetings?startDateTime=&endDateTime=&$top=&$skiptoken=
//   GET /users/{id}/onlineMeetings/{meetingId}
//   GET /users/{id}/onlineMeetings/{meetingId}/transcripts
//   GET /users/{id}/onlineMeetings/{meetingId}/transcripts/{transcriptId}
//   GET /users/{id}/onlineMeetings/{meetingId}/transcripts/{transcriptId}/content
// {id} is the user's Graph id, email or "me" (/me/... works too); the
// bearer token must be that user's. Listing by time window stands in for
// Graph's calendarView + onlineMeetings lookup in one call; paging follows
// Graph (@odata.nextLink until absent).
#include <charconv>

#include "route.h"
#include "url.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

constexpr int kDefaultTop = 10;
constexpr int kMaxTop = 100;
constexpr TimeMs kTranscriptDelayMs = TimeMs{2} * 60 * 1000;
constexpr TimeMs kDayMs = TimeMs{24} * 3600 * 1000;

std::string graphBase(const EndpointContext& ctx) { return ctx.request.base_url + "/graph/v1.0"; }

std::string meetingUrl(const EndpointContext& ctx, const User& user, const Meeting& m) {
  return graphBase(ctx) + "/users/" + user.graph_id + "/onlineMeetings/" + m.id;
}

json meetingJson(const User& user, const Meeting& m) {
  return {{"id", m.id},
          {"subject", m.subject},
          {"startDateTime", isoTime(m.start_ms, true)},
          {"endDateTime", isoTime(m.end_ms, true)},
          {"creationDateTime", isoTime(m.start_ms - kDayMs, true)},
          {"joinWebUrl", "https://teams.example.test/l/meetup-join/" + m.id},
          {"participants",
           {{"organizer",
             {{"upn", user.email},
              {"role", "presenter"},
              {"identity",
               {{"user", {{"id", user.graph_id}, {"displayName", user.display_name}}}}}}}}}};
}

json transcriptJson(const EndpointContext& ctx, const User& user, const Meeting& m) {
  return {{"id", m.transcript_id},
          {"meetingId", m.id},
          {"meetingOrganizerId", user.graph_id},
          {"createdDateTime", isoTime(m.end_ms + kTranscriptDelayMs, true)},
          {"transcriptContentUrl",
           meetingUrl(ctx, user, m) + "/transcripts/" + m.transcript_id + "/content"}};
}

// The path's user, who must be the token's; an error reply otherwise.
const User* pathUser(const EndpointContext& ctx, HttpReply& error) {
  const std::string& id = ctx.params.at(0);
  const User* user = id == "me" ? ctx.user : ctx.dataset.findUser(Platform::kGraph, id);
  if (user == nullptr) {
    error = errorReply(Provider::kGraph, 404, "Request_ResourceNotFound",
                       "Resource '" + id + "' does not exist.");
    return nullptr;
  }
  if (user != ctx.user) {
    error = forbiddenReply(Provider::kGraph, "The token does not grant access to this user.");
    return nullptr;
  }
  return user;
}

// The path's meeting of the path's user (params 0 and 1).
const Meeting* pathMeeting(const EndpointContext& ctx, const User*& user, HttpReply& error) {
  user = pathUser(ctx, error);
  if (user == nullptr) {
    return nullptr;
  }
  const Meeting* m = ctx.dataset.findMeeting(Platform::kGraph, ctx.params.at(1));
  if (m == nullptr || m->user_index != user->index) {
    error = errorReply(Provider::kGraph, 404, "NotFound", "The online meeting was not found.");
    return nullptr;
  }
  return m;
}

// The path's meeting (params 0, 1) when its transcript exists now and is
// the one the path names (param 2).
const Meeting* pathTranscript(const EndpointContext& ctx, const User*& user, HttpReply& error) {
  const Meeting* m = pathMeeting(ctx, user, error);
  if (m == nullptr) {
    return nullptr;
  }
  if (ctx.params.at(2) != m->transcript_id || ctx.state.transcriptMissing(*m)) {
    error = errorReply(Provider::kGraph, 404, "NotFound", "The transcript was not found.");
    return nullptr;
  }
  return m;
}

HttpReply listMeetings(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = pathUser(ctx, error);
  if (user == nullptr) {
    return error;
  }
  const auto& q = ctx.request.query;
  TimeMs from = INT64_MIN;
  TimeMs to = INT64_MAX;
  if (auto it = q.find("startDateTime"); it != q.end() && (from = parseIsoTime(it->second)) < 0) {
    return badRequestReply(Provider::kGraph, "startDateTime is not an ISO 8601 date-time");
  }
  if (auto it = q.find("endDateTime"); it != q.end() && (to = parseIsoTime(it->second)) < 0) {
    return badRequestReply(Provider::kGraph, "endDateTime is not an ISO 8601 date-time");
  }
  int top = kDefaultTop;
  size_t skip = 0;
  if (auto it = q.find("$top"); it != q.end()) {
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), top);
    if (ec != std::errc() || top < 1 || top > kMaxTop) {
      return badRequestReply(Provider::kGraph, "$top must be between 1 and 100");
    }
  }
  if (auto it = q.find("$skiptoken"); it != q.end()) {
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), skip);
    if (ec != std::errc()) {
      return badRequestReply(Provider::kGraph, "$skiptoken is not valid");
    }
  }
  std::vector<const Meeting*> matching;
  for (const Meeting& m : user->graph_meetings) {
    if (m.start_ms >= from && m.start_ms < to) {
      matching.push_back(&m);
    }
  }
  json value = json::array();
  for (size_t i = skip; i < matching.size() && i < skip + static_cast<size_t>(top); ++i) {
    value.push_back(meetingJson(*user, *matching[i]));
  }
  json body = {{"@odata.context",
                graphBase(ctx) + "/$metadata#users('" + user->graph_id + "')/onlineMeetings"},
               {"value", value}};
  if (skip + static_cast<size_t>(top) < matching.size()) {
    std::string next = graphBase(ctx) + "/users/" + user->graph_id + "/onlineMeetings?";
    for (const char* name : {"startDateTime", "endDateTime"}) {
      if (auto it = q.find(name); it != q.end()) {
        next += std::string(name) + "=" + percentEncode(it->second) + "&";
      }
    }
    next += "$top=" + std::to_string(top) + "&$skiptoken=" + std::to_string(skip + top);
    body["@odata.nextLink"] = next;
  }
  return jsonReply(200, body);
}

HttpReply getMeeting(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = nullptr;
  const Meeting* m = pathMeeting(ctx, user, error);
  return m == nullptr ? error : jsonReply(200, meetingJson(*user, *m));
}

HttpReply listTranscripts(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = nullptr;
  const Meeting* m = pathMeeting(ctx, user, error);
  if (m == nullptr) {
    return error;
  }
  json value = json::array();
  if (!ctx.state.transcriptMissing(*m)) {
    value.push_back(transcriptJson(ctx, *user, *m));
  }
  return jsonReply(200, {{"@odata.context", graphBase(ctx) + "/$metadata#users('" + user->graph_id +
                                                "')/onlineMeetings('" + m->id + "')/transcripts"},
                         {"value", value}});
}

HttpReply getTranscript(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = nullptr;
  const Meeting* m = pathTranscript(ctx, user, error);
  if (m == nullptr) {
    return error;
  }
  return jsonReply(200, transcriptJson(ctx, *user, *m));
}

HttpReply transcriptContent(const EndpointContext& ctx) {
  HttpReply error;
  const User* user = nullptr;
  const Meeting* m = pathTranscript(ctx, user, error);
  if (m == nullptr) {
    return error;
  }
  const auto& q = ctx.request.query;
  if (auto it = q.find("$format"); it != q.end() && it->second != "text/vtt") {
    return badRequestReply(Provider::kGraph, "$format must be text/vtt");
  }
  HttpReply reply;
  reply.content_type = "text/vtt";
  reply.body = transcriptText(*m, *user);
  return reply;
}

}  // namespace

void addGraphRoutes(std::vector<Route>& routes) {
  const std::string base = "users/{}/onlineMeetings";
  routes.push_back({"GET", Provider::kGraph, base, "graph", listMeetings});
  routes.push_back({"GET", Provider::kGraph, base + "/{}", "graph", getMeeting});
  routes.push_back({"GET", Provider::kGraph, base + "/{}/transcripts", "graph", listTranscripts});
  routes.push_back({"GET", Provider::kGraph, base + "/{}/transcripts/{}", "graph", getTranscript});
  routes.push_back(
      {"GET", Provider::kGraph, base + "/{}/transcripts/{}/content", "graph", transcriptContent});
}

}  // namespace gantry::sim
