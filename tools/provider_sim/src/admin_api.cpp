#include "admin_api.h"

#include "provider_errors.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

HttpReply adminError(int status, const std::string& message) {
  return errorReply(Provider::kGeneric, status, status == 404 ? "NotFound" : "BadRequest", message);
}

}  // namespace

HttpReply AdminApi::handle(const HttpRequest& request) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/admin/stats" && method == "GET") {
    return stats();
  }
  if (path == "/admin/dataset" && method == "GET") {
    return dataset();
  }
  if (path == "/admin/faults" && method == "GET") {
    return jsonReply(200, state_.describeFaults());
  }
  if (path == "/admin/faults" && method == "POST") {
    return addFaults(request);
  }
  if (path == "/admin/faults" && method == "DELETE") {
    state_.clearFaults();
    return jsonReply(200, state_.describeFaults());
  }
  if (path == "/admin/reset" && method == "POST") {
    state_.reset();
    return jsonReply(200, {{"reset", true}});
  }
  if (path == "/admin/requests" && method == "GET") {
    return requests(request);
  }
  for (const char* known :
       {"/admin/stats", "/admin/dataset", "/admin/faults", "/admin/reset", "/admin/requests"}) {
    if (path == known) {
      return errorReply(Provider::kGeneric, 405, "MethodNotAllowed",
                        "method " + method + " is not allowed on " + path);
    }
  }
  return adminError(404, "no such admin endpoint: " + path);
}

HttpReply AdminApi::stats() const {
  return jsonReply(200, {{"now_unix_ms", state_.wallMs()}, {"resources", state_.stats()}});
}

json AdminApi::meetingsJson(const User& user, Platform platform) const {
  json out = json::array();
  const auto& meetings = platform == Platform::kGraph ? user.graph_meetings : user.zoom_meetings;
  for (const Meeting& m : meetings) {
    const bool has = !state_.transcriptMissing(m);
    json j = {{"id", m.id},
              {"subject", m.subject},
              {"start", isoTime(m.start_ms)},
              {"end", isoTime(m.end_ms)},
              {"start_unix_ms", m.start_ms},
              {"end_unix_ms", m.end_ms},
              {"has_transcript", has},
              {"transcript_id", has ? json(m.transcript_id) : json(nullptr)},
              {"transcript_bytes", has ? transcriptText(m, user).size() : 0}};
    if (platform == Platform::kZoom) {
      j["uuid"] = m.zoom_uuid;
      j["video_file_id"] = m.video_file_id;
    }
    out.push_back(std::move(j));
  }
  return out;
}

HttpReply AdminApi::dataset() const {
  const DatasetOptions& o = dataset_.options();
  json users = json::array();
  for (const User& user : dataset_.users()) {
    users.push_back({{"index", user.index},
                     {"email", user.email},
                     {"display_name", user.display_name},
                     {"graph_id", user.graph_id},
                     {"zoom_id", user.zoom_id},
                     {"graph_token", user.graph_token},
                     {"zoom_token", user.zoom_token},
                     {"graph_token_expired", state_.tokenExpired(Platform::kGraph, user.index)},
                     {"zoom_token_expired", state_.tokenExpired(Platform::kZoom, user.index)},
                     {"graph_meetings", meetingsJson(user, Platform::kGraph)},
                     {"zoom_meetings", meetingsJson(user, Platform::kZoom)}});
  }
  const TimeMs window_start = o.anchor_ms - TimeMs{o.lookback_hours} * 3600 * 1000;
  return jsonReply(200,
                   {{"seed", o.seed},
                    {"user_count", o.users},
                    {"missing_transcript_ratio", o.missing_transcript_ratio},
                    {"anchor_unix_ms", o.anchor_ms},
                    {"window", {{"start_unix_ms", window_start}, {"end_unix_ms", o.anchor_ms}}},
                    {"openai_key", config_.openai_key},
                    {"users", users}});
}

HttpReply AdminApi::addFaults(const HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return adminError(400, "the body is not valid JSON");
  }
  json list = body.is_array() ? body : json::array({body});
  if (body.is_object() && body.contains("faults")) {
    list = body["faults"];
  }
  if (!list.is_array() || list.empty()) {
    return adminError(400, "give a fault object, an array of them, or {\"faults\": [...]}");
  }
  // All or nothing: every fault is checked before any is added.
  std::vector<FaultSpec> specs;
  for (const json& item : list) {
    auto spec = faultFromJson(item);
    if (!spec.isOk()) {
      return adminError(400, spec.status().message());
    }
    specs.push_back(std::move(spec.value()));
  }
  size_t added = 0;
  for (const FaultSpec& spec : specs) {
    if (Status s = state_.addFault(spec); !s.isOk()) {
      return adminError(s.code() == StatusCode::kNotFound ? 404 : 400,
                        s.message() + " (" + std::to_string(added) + " faults added before it)");
    }
    ++added;
  }
  json out = state_.describeFaults();
  out["added"] = added;
  return jsonReply(200, out);
}

HttpReply AdminApi::requests(const HttpRequest& request) const {
  auto it = request.query.find("resource");
  if (it == request.query.end() || it->second.empty()) {
    return adminError(400, "give ?resource=NAME");
  }
  return jsonReply(200,
                   {{"resource", it->second}, {"arrivals_unix_ms", state_.arrivals(it->second)}});
}

}  // namespace gantry::sim
