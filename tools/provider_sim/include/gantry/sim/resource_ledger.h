// Per-resource rate limits and their accounting: a token bucket per
// resource (capacity = one period's requests, refilled continuously,
// starting full), what arrived and when, what was refused, and the
// Retry-After windows the simulator has announced. No I/O, no locks, time
// passed in: SimState holds it under its mutex. Thread-compatible.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gantry/common/clock.h"
#include "gantry/sim/sim_config.h"

namespace gantry::sim {

class ResourceLedger {
 public:
  // `limits` are the named resources; others get `fallback` when first
  // seen. Requests that arrive within `grace_ms` of a 429 were in flight.
  ResourceLedger(std::map<std::string, RateLimit> limits, RateLimit fallback, int64_t grace_ms);

  // Most resources a ledger tracks; /sim/NAME/work beyond that is refused
  // so a client cannot grow the simulator's memory without bound.
  static constexpr size_t kMaxResources = 256;
  // Arrival times kept per resource for arrivals().
  static constexpr size_t kMaxArrivals = 10000;

  bool known(const std::string& resource) const { return resources_.count(resource) > 0; }
  bool canAdd() const { return resources_.size() < kMaxResources; }

  // A request for `resource` arrived. True when it came after a
  // Retry-After the simulator announced for the resource (past the grace)
  // and before it ran out: a retry_after_violation, counted here.
  bool arrive(const std::string& resource, Now now);
  // Takes a token. nullopt when there was one; else the request violates
  // the limit (counted) and the value is the Retry-After in whole seconds
  // until a token is back (at least 1).
  std::optional<int64_t> take(const std::string& resource, Now now);
  // The simulator answered with `status` (429, 5xx or anything else);
  // `retry_after_s` opens a Retry-After window.
  void answered(const std::string& resource, int status, std::optional<int64_t> retry_after_s,
                Now now);
  // The request passed limits and faults and reached its endpoint.
  void served(const std::string& resource);

  // Zeroes the counters, refills the buckets and forgets windows and
  // arrivals; limits stay.
  void reset(Now now);

  // {"graph": {"limit": {...}, "requests": ..., ...}, ...}; see
  // docs/provider-sim.md for the fields.
  nlohmann::json stats() const;
  // Arrival times (unix ms, oldest first) of the last kMaxArrivals
  // requests for `resource`; empty when unknown.
  nlohmann::json arrivals(const std::string& resource) const;

 private:
  struct Resource {
    RateLimit limit;
    double tokens = 0;
    TimeMs refilled_mono = 0;
    uint64_t requests = 0;
    uint64_t served = 0;
    uint64_t violations = 0;
    uint64_t retry_after_violations = 0;
    uint64_t sent_429 = 0;
    uint64_t sent_5xx = 0;
    std::optional<TimeMs> first_wall;
    std::optional<TimeMs> last_wall;
    std::deque<TimeMs> arrivals_wall;  // the last kMaxArrivals
    std::deque<TimeMs> period_mono;    // arrivals within the last period
    uint64_t peak_per_period = 0;
    // The Retry-After window: arrivals in (from, until) are violations.
    TimeMs window_from_mono = 0;
    TimeMs window_until_mono = 0;
  };

  Resource& resource(const std::string& name, Now now);
  static void refill(Resource& r, TimeMs now_mono);

  std::map<std::string, RateLimit> limits_;
  RateLimit fallback_;
  int64_t grace_ms_;
  std::map<std::string, Resource> resources_;
};

}  // namespace gantry::sim
