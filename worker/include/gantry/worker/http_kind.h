// The `http` kinds: any app's HTTP endpoint as a job kind, in any language
// (docs/http-kind.md). The operator maps a kind to a URL on the worker:
//
//   --http-kind 'transcode=https://media.internal/jobs/transcode,resource=media'
//
// and each attempt of a job of that kind POSTs the job's payload, as is, to
// the URL, with headers that say which job and attempt it is
// (Gantry-Job-Id, Gantry-Attempt, Gantry-Queue, Gantry-Kind,
// Gantry-Deadline, traceparent, Idempotency-Key). The answer maps to the
// outcome as gantry/http/classify.h says; a 2xx body (at most
// kMaxHttpKindResultBytes) is the job's result, and a 2xx with a
// Gantry-Degraded header (a JSON array of {"what", "reason"}) is a partial
// success.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/status.h"
#include "gantry/http/http_client.h"
#include "gantry/worker/handler_registry.h"

namespace gantry {
class Settings;
}  // namespace gantry

namespace gantry::worker {

// Results are stored with the job; bigger answers belong in object storage.
inline constexpr uint64_t kMaxHttpKindResultBytes = uint64_t{1} << 20;

// The worker's http-kind settings. Plain value.
struct HttpKindConfig {
  // "KIND=URL[,resource=NAME]" entries. resource names the broker's
  // pool-wide limit (--resource on the broker) the calls count against.
  std::vector<std::string> entries{};
  // PEM CAs to trust for https:// URLs; empty = the system's store. Needed
  // for apps behind a private CA; it replaces the system store.
  std::string ca_file{};
  // Longest a call may take (the job's deadline shortens it). Longer lets
  // slow apps finish; shorter frees the slot sooner when an app hangs.
  uint32_t timeout_ms = 30000;
};

// One configured kind.
struct HttpKindSpec {
  std::string kind{};
  std::string url{};
  std::string resource{};  // empty: no pool-wide limit
};

// --http-kind (repeatable; GANTRY_HTTP_KINDS: entries separated by spaces or
// newlines), --http-ca-file, --http-timeout-ms.
// REQUIRES: `config` outlives `settings`.
void addHttpKindSettings(Settings& settings, HttpKindConfig& config);

// One entry, checked: a kind name, an absolute http(s) URL, an optional
// resource. The error is the rule broken (the caller names the setting).
Result<HttpKindSpec> parseHttpKindEntry(std::string_view entry);

// Checks every setting and adds one handler per entry to `registry`, all
// sharing one HttpClient. The first problem as one line naming the setting:
// a bad entry, a kind given twice, a kind that is already registered (a
// built-in), an unreadable CA file, a timeout out of range.
Status addHttpKinds(HandlerRegistry& registry, const HttpKindConfig& config);

// The handler for one kind. REQUIRES: client != nullptr; the client's
// max_response_bytes should be kMaxHttpKindResultBytes.
std::unique_ptr<Handler> makeHttpKindHandler(HttpKindSpec spec,
                                             std::shared_ptr<http::HttpClient> client);

// The options addHttpKinds() gives the shared client.
http::HttpClientOptions httpKindClientOptions(const HttpKindConfig& config);

}  // namespace gantry::worker
