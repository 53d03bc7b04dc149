// What an HTTP exchange means for the job that made it, and for the
// external resource it called: the one mapping every handler shares
// (docs/http-kind.md, "How responses map to job outcomes").
//
//   exchange                              outcome    resource signal   retry_after
//   2xx                                   ok         OK
//   3xx                                   fatal      OK                (redirects are not followed)
//   401                                   fatal      OK                (expired token named)
//   408                                   retryable  FAILURE           Retry-After
//   429                                   retryable  PUSHBACK          Retry-After
//   503 with Retry-After                  retryable  PUSHBACK          Retry-After
//   other 5xx (and 503 without it)        retryable  FAILURE           Retry-After
//   other 1xx/4xx                         fatal      OK
//   timeout, DNS, connect errors          retryable  FAILURE
//   TLS verification failure              fatal      FAILURE
//   response too large                    fatal      OK
//   invalid request (URL, method)         fatal      none
//   cancelled                             cancelled  none
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/http/http_message.h"

namespace gantry::http {

// A Retry-After beyond this is taken as this: an upstream's typo must not
// park a job for a year.
inline constexpr uint64_t kMaxRetryAfterMs = uint64_t{24} * 3600 * 1000;
// How much of an error response's body a reason quotes.
inline constexpr size_t kErrorSnippetBytes = 160;

enum class CallOutcome { kOk, kRetryable, kFatal, kCancelled };

struct Classification {
  CallOutcome outcome = CallOutcome::kFatal;
  // RESOURCE_SIGNAL_UNSPECIFIED: nothing to report (the call never reached
  // the upstream, or was cancelled).
  wire::ResourceSignal signal = wire::RESOURCE_SIGNAL_UNSPECIFIED;
  // From Retry-After, capped at kMaxRetryAfterMs; 0 when absent or past.
  uint64_t retry_after_ms = 0;
  // Empty when ok. Otherwise for people: method, host and path, status, the
  // cause and, for error responses, a short sanitized snippet of the body.
  std::string reason{};
};

// `now_wall_ms` (unix ms) turns a Retry-After date into a delay.
Classification classify(const HttpResult& result, TimeMs now_wall_ms);

// A Retry-After value, delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct
// 2015 07:28:00 GMT"), as milliseconds from `now_wall_ms`: 0 for a date in
// the past, capped at kMaxRetryAfterMs; nullopt when it is neither form.
std::optional<uint64_t> parseRetryAfter(std::string_view value, TimeMs now_wall_ms);

// True when a 401 says the access token expired: WWW-Authenticate
// error="invalid_token" with "expired" in it, or a body that mentions an
// expired token (Graph's InvalidAuthenticationToken, Zoom's code 124).
bool saysTokenExpired(const HttpResponse& response);

// Up to kErrorSnippetBytes of `body` as one line of valid UTF-8: control
// characters become spaces, runs of whitespace one space, and a cut body
// ends in "...".
std::string errorSnippet(std::string_view body);

}  // namespace gantry::http
