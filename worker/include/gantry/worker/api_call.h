// One call of an external API from a handler, done the way every handler
// should do it: a permit from the resource's pool-wide limit first, a
// client span around the call, the job's deadline and cancellation applied
// to the transfer, the answer classified (gantry/http/classify.h) and
// reported to the resource's limiter, and any failure turned into the
// HandlerResult the handler should return.
//
//   auto call = callApi(ctx, client, {.method = "GET", .url = url}, "graph");
//   if (!call.ok()) {
//     return std::move(call.failure);
//   }
//   use(call.response->body);
//
// Callable from any thread the handler starts, while run() is active.
#pragma once

#include <optional>
#include <string_view>

#include "gantry/common/clock.h"
#include "gantry/http/http_client.h"
#include "gantry/worker/handler.h"

namespace gantry::worker {

// What callApi() came to: a 2xx response, or what to return from run().
struct ApiCallResult {
  std::optional<http::HttpResponse> response;  // set when the call succeeded (2xx)
  HandlerResult failure;                       // when !ok(): RETRYABLE, FATAL or CANCELLED
  bool ok() const { return response.has_value(); }
};

// Calls `request` on `client` for the attempt behind `ctx`.
//  - `resource` (a name configured on the broker with --resource) may be
//    empty: then no permit is taken and nothing is reported. Otherwise one
//    permit is acquired before the call (waiting while the pool is at its
//    limit); a refused permit becomes resourceFailed(), or fatal when the
//    broker does not know the resource (a configuration error).
//  - Failures map as classify() says: retryable ones become
//    resourceFailed(resource, reason, retry_after_ms) (without a resource,
//    retryAfter() or retryable()), fatal ones fatal(), a cancel cancelled().
//  - The span ("GET", "POST", ...; SpanKind::kClient) carries OTel's HTTP
//    client attributes; url.full has no query string, which may hold
//    secrets.
// `clock` gives the wall time the job's deadline and Retry-After dates are
// measured against.
ApiCallResult callApi(JobContext& ctx, http::HttpClient& client, const http::HttpRequest& request,
                      std::string_view resource, const Clock& clock = SystemClock::instance());

}  // namespace gantry::worker
