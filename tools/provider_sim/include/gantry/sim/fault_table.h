// Faults injected per resource: throttling (429 with a Retry-After),
// errors (5xx, optionally with a Retry-After), slow answers and outages,
// each for the next N requests or for D seconds from when it was added.
// Also the faults on data: a user's expired token, a meeting's missing
// transcript. No I/O, no locks, time passed in: SimState holds it under its
// mutex. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/sim/dataset.h"

namespace gantry::sim {

enum class FaultKind { kRateLimit, kError, kSlow, kOutage, kExpireToken, kMissingTranscript };

// One fault as given by a flag or the admin API (docs/provider-sim.md).
struct FaultSpec {
  FaultKind kind = FaultKind::kError;
  std::string resource;                  // request faults: the resource ("*": all)
  int status = 500;                      // kError: 5xx; kOutage: 503
  std::optional<int64_t> retry_after_s;  // kRateLimit (default 1), kError (optional)
  int64_t delay_ms = 0;                  // kSlow
  std::optional<uint64_t> count;         // the next N requests ...
  std::optional<int64_t> duration_ms;    // ... or for D (neither: until cleared)
  bool close_connection = false;         // kOutage: drop the connection, no answer
  Platform platform = Platform::kGraph;  // kExpireToken
  std::string user;                      // kExpireToken: email, id or index
  std::string meeting;                   // kMissingTranscript: meeting id (or Zoom uuid)
};

// The admin API's JSON object, e.g. {"kind":"rate_limit","resource":"graph",
// "retry_after_s":5,"count":3}.
Result<FaultSpec> faultFromJson(const nlohmann::json& json);
// The flag's "KIND:RESOURCE[:key=value,...]", e.g.
// "error:zoom:status=503,duration_s=10" or "expire_token:graph:user=user3".
Result<FaultSpec> faultFromFlag(const std::string& text);

// What the request faults do to one request.
struct FaultEffect {
  // Answer with this status instead of serving (429, 5xx, 503).
  std::optional<int> status;
  std::optional<int64_t> retry_after_s;
  bool outage = false;  // the refusal is an outage (no provider throttling body)
  bool drop_connection = false;
  int64_t delay_ms = 0;
};

class FaultTable {
 public:
  // REQUIRES: a request fault (kRateLimit, kError, kSlow, kOutage).
  void add(const FaultSpec& spec, TimeMs now_mono);
  // Applies the active faults of `resource` to one request arriving now:
  // an outage first, then throttling, then errors; slowness adds up. A
  // count-limited fault that applied is used up by one.
  FaultEffect apply(const std::string& resource, TimeMs now_mono);
  void clear() { faults_.clear(); }
  // The active request faults, for GET /admin/faults.
  nlohmann::json describe(TimeMs now_mono) const;

 private:
  struct Active {
    FaultSpec spec;
    std::optional<uint64_t> remaining;
    std::optional<TimeMs> until_mono;
  };
  void dropExpired(TimeMs now_mono);

  std::vector<Active> faults_;
};

const char* faultKindName(FaultKind kind);

}  // namespace gantry::sim
