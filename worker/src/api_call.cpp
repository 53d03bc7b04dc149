#include "gantry/worker/api_call.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "gantry/http/classify.h"
#include "gantry/http/url.h"

namespace gantry::worker {
namespace {

ApiCallResult failed(HandlerResult result) { return {std::nullopt, std::move(result)}; }

// OTel's HTTP client span attributes that are known before the call.
void describeRequest(trace::Span& span, const http::HttpRequest& request) {
  if (!span.recording()) {
    return;
  }
  span.setAttribute("http.request.method", request.method);
  if (auto url = http::parseUrl(request.url); url.isOk()) {
    span.setAttribute("url.full", url->withoutQuery());
    span.setAttribute("server.address", url->host);
    span.setAttribute("server.port", static_cast<int64_t>(url->port));
  }
}

// The rest: status, and for failures error.type (the status code, as the
// conventions ask for HTTP errors, or what went wrong before one) and the
// span's error status.
void describeOutcome(trace::Span& span, const http::HttpResult& result,
                     const http::Classification& classification) {
  if (result.hasResponse()) {
    span.setAttribute("http.response.status_code", static_cast<int64_t>(result.response().status));
  }
  if (classification.outcome == http::CallOutcome::kOk) {
    return;
  }
  span.setAttribute("error.type", result.hasResponse()
                                      ? std::to_string(result.response().status)
                                      : std::string(http::httpErrorKindName(result.error().kind)));
  span.setError(classification.reason);
}

http::SendLimits limitsOf(const JobContext& ctx, const Clock& clock) {
  http::SendLimits limits;
  if (ctx.deadlineMs() > 0) {
    // The deadline is wall time; the client measures on the steady clock.
    const TimeMs left = std::max<TimeMs>(ctx.deadlineMs() - clock.wallMs(), 0);
    limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(left);
  }
  limits.cancelled = [&ctx] { return ctx.isCancelled(); };
  return limits;
}

HandlerResult failureOf(const http::Classification& c, std::string_view resource) {
  switch (c.outcome) {
    case http::CallOutcome::kRetryable:
      if (!resource.empty()) {
        return HandlerResult::resourceFailed(std::string(resource), c.reason, c.retry_after_ms);
      }
      return c.retry_after_ms > 0 ? HandlerResult::retryAfter(c.reason, c.retry_after_ms)
                                  : HandlerResult::retryable(c.reason);
    case http::CallOutcome::kCancelled:
      return HandlerResult::cancelled(c.reason);
    case http::CallOutcome::kFatal:
    case http::CallOutcome::kOk:
      break;
  }
  return HandlerResult::fatal(c.reason);
}

}  // namespace

ApiCallResult callApi(JobContext& ctx, http::HttpClient& client, const http::HttpRequest& request,
                      std::string_view resource, const Clock& clock) {
  if (!resource.empty()) {
    if (Status permit = ctx.acquire(resource); !permit.isOk()) {
      const std::string reason = "resource '" + std::string(resource) + "': " + permit.message();
      if (permit.code() == StatusCode::kInvalidArgument) {
        return failed(HandlerResult::fatal(reason));
      }
      return failed(HandlerResult::resourceFailed(std::string(resource), reason));
    }
  }
  trace::Span span = ctx.startSpan(request.method, trace::SpanKind::kClient);
  describeRequest(span, request);
  http::HttpResult result = client.send(request, limitsOf(ctx, clock));
  const http::Classification classification = http::classify(result, clock.wallMs());
  describeOutcome(span, result, classification);
  span.end();
  if (!resource.empty() && classification.signal != wire::RESOURCE_SIGNAL_UNSPECIFIED) {
    ctx.reportResource(resource, classification.signal, classification.retry_after_ms);
  }
  if (classification.outcome == http::CallOutcome::kOk) {
    return {std::move(result).response(), {}};
  }
  return failed(failureOf(classification, resource));
}

}  // namespace gantry::worker
