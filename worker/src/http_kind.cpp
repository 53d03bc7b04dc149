// The http kind's handler: one POST per attempt (http_kind.h).
#include "gantry/worker/http_kind.h"

#include <cassert>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "gantry/common/utf8.h"
#include "gantry/worker/api_call.h"

namespace gantry::worker {
namespace {

// A Gantry-Degraded header is the app's words stored with the job: keep
// them to what a person reads.
constexpr size_t kMaxDegradations = 100;
constexpr size_t kMaxWhatBytes = 200;
constexpr size_t kMaxReasonBytes = 1000;

// The app's own account of what it gave up on, or one entry saying the
// header could not be read: the work succeeded either way, and a header the
// app got wrong should show rather than vanish.
std::vector<Degradation> degradationsOf(std::string_view header) {
  const auto unreadable = [](const std::string& why) {
    return std::vector<Degradation>{
        {"Gantry-Degraded header",
         "unreadable (" + why + "); expected a JSON array of {\"what\", \"reason\"}"}};
  };
  const nlohmann::json parsed = nlohmann::json::parse(header, nullptr, false);
  if (!parsed.is_array()) {
    return unreadable("not a JSON array");
  }
  std::vector<Degradation> out;
  for (const auto& item : parsed) {
    if (!item.is_object() || !item.contains("what") || !item["what"].is_string() ||
        (item.contains("reason") && !item["reason"].is_string())) {
      return unreadable("an entry is not {\"what\": string, \"reason\": string}");
    }
    if (out.size() == kMaxDegradations) {
      out.push_back({"Gantry-Degraded header", "more than " + std::to_string(kMaxDegradations) +
                                                   " entries; the rest dropped"});
      break;
    }
    out.push_back({sanitizeText(item["what"].get<std::string>(), kMaxWhatBytes),
                   sanitizeText(item.value("reason", ""), kMaxReasonBytes)});
  }
  return out;
}

class HttpKindHandler final : public Handler {
 public:
  HttpKindHandler(HttpKindSpec spec, std::shared_ptr<http::HttpClient> client)
      : spec_(std::move(spec)), client_(std::move(client)) {
    assert(client_ != nullptr);
  }

  HandlerResult run(JobContext& ctx) override {
    http::HttpRequest request{
        .method = "POST", .url = spec_.url, .body = std::string(ctx.payload())};
    addJobHeaders(ctx, request.headers);
    ApiCallResult call = callApi(ctx, *client_, request, spec_.resource);
    if (!call.ok()) {
      return std::move(call.failure);
    }
    http::HttpResponse& response = *call.response;
    if (const auto degraded = response.headers.find("Gantry-Degraded")) {
      std::vector<Degradation> degradations = degradationsOf(*degraded);
      if (!degradations.empty()) {
        return HandlerResult::partial(std::move(response.body), std::move(degradations));
      }
    }
    return HandlerResult::succeeded(std::move(response.body));
  }

  std::vector<std::string> resources() const override {
    if (spec_.resource.empty()) {
      return {};
    }
    return {spec_.resource};
  }

 private:
  static void addJobHeaders(const JobContext& ctx, http::HttpHeaders& headers) {
    const bool is_json = nlohmann::json::accept(ctx.payload());
    headers.add("Content-Type", is_json ? "application/json" : "application/octet-stream");
    const std::string job_id = std::to_string(ctx.jobId());
    headers.add("Gantry-Job-Id", job_id);
    headers.add("Gantry-Attempt", std::to_string(ctx.attempt()));
    headers.add("Gantry-Queue", ctx.queue());
    headers.add("Gantry-Kind", ctx.kind());
    if (ctx.deadlineMs() > 0) {
      headers.add("Gantry-Deadline", std::to_string(ctx.deadlineMs()));
    }
    // The attempt's span when the job is traced, so the app's spans join
    // the job's trace under it; else the submitter's context as it came.
    if (ctx.spanContext().valid()) {
      headers.add("traceparent", ctx.spanContext().traceparent());
    } else if (!ctx.traceparent().empty()) {
      headers.add("traceparent", ctx.traceparent());
    }
    // Every attempt of a job carries the same key, so an app that already
    // did the work for an earlier attempt (whose answer was lost) can
    // recognise it.
    headers.add("Idempotency-Key", job_id);
  }

  const HttpKindSpec spec_;
  const std::shared_ptr<http::HttpClient> client_;
};

}  // namespace

std::unique_ptr<Handler> makeHttpKindHandler(HttpKindSpec spec,
                                             std::shared_ptr<http::HttpClient> client) {
  return std::make_unique<HttpKindHandler>(std::move(spec), std::move(client));
}

http::HttpClientOptions httpKindClientOptions(const HttpKindConfig& config) {
  http::HttpClientOptions options;
  options.ca_file = config.ca_file;
  options.request_timeout_ms = config.timeout_ms;
  options.connect_timeout_ms = std::min(options.connect_timeout_ms, config.timeout_ms);
  options.max_response_bytes = kMaxHttpKindResultBytes;
  options.user_agent = "gantry-worker";
  return options;
}

}  // namespace gantry::worker
