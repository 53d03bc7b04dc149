// Rate-limited external resources, held by the broker for the whole worker
// pool (docs/handlers.md, "Resources"). Per resource:
//
//   bucket   a token bucket of `burst` tokens refilled at the current rate;
//            a permit request waits in FIFO order until its count of tokens
//            is there. Buckets start full.
//   AIMD     a pushback (the upstream said 429, or 503 with Retry-After)
//            holds the resource: no permit until Retry-After has passed
//            (kDefaultHold when the upstream gave none, at most kMaxHold),
//            and the bucket empties. The first pushback of a hold halves
//            the rate (never below kMinRateFraction of the limit); once the
//            hold ends the rate climbs back linearly, by kRecoveryPerSecond
//            of the limit per second.
//   circuit  failure_threshold consecutive failures (5xx, timeouts,
//            refused connections) open it: waiting and new permit requests
//            are refused as unavailable, and jobs of kinds that declare the
//            resource wait in their queue (CircuitGate). After open_ms it is
//            half-open: one probe job may start; a success closes it, a
//            failure opens it again.
//
// Not thread-safe: part of the core.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry.pb.h"
#include "gantry/broker/core/admission.h"
#include "gantry/broker/core/config.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"

namespace gantry::broker {

enum class CircuitState { kClosed, kOpen, kHalfOpen };
const char* circuitStateName(CircuitState state);

struct PermitWaiter {
  uint64_t session_id = 0;
  uint64_t request_id = 0;
  uint32_t count = 0;
  TimeMs since_mono_ms = 0;
};

// The answer to one permit request, for the core to send.
struct PermitAnswer {
  uint64_t session_id = 0;
  uint64_t request_id = 0;
  Status status;  // ok = granted
};

struct Resource {
  std::string name;
  ResourceLimit limit;
  double rate_per_s = 0;  // now; limit.rate_per_s unless pushed back
  double tokens = 0;
  TimeMs refilled_mono_ms = 0;
  TimeMs held_until_mono_ms = 0;  // no permits before this
  CircuitState circuit = CircuitState::kClosed;
  uint32_t consecutive_failures = 0;
  TimeMs open_until_mono_ms = 0;  // while open
  uint64_t probe_job = 0;         // while half-open: the probe's job id, 0 = none yet
  std::deque<PermitWaiter> waiting;

  uint64_t granted_total = 0;  // calls
  uint64_t pushbacks_total = 0;
  uint64_t failures_total = 0;
  uint64_t opened_total = 0;
  uint64_t waited_ms_total = 0;  // by granted requests, from request to grant
};

class ResourceTable {
 public:
  static constexpr double kMinRateFraction = 0.1;
  static constexpr double kRecoveryPerSecond = 0.1;
  static constexpr TimeMs kMaxHoldMs = TimeMs{3600} * 1000;

  // One resource per configured limit, buckets full.
  explicit ResourceTable(const BrokerConfig& config);

  std::optional<uint32_t> find(std::string_view name) const;
  const Resource& at(uint32_t index) const { return resources_[index]; }
  Resource& at(uint32_t index) { return resources_[index]; }
  size_t size() const { return resources_.size(); }

  // Queues a request, or answers it at once: unknown resource or a count
  // beyond the burst (invalid argument), circuit open (unavailable).
  void request(uint64_t session_id, const wire::PermitRequest& request, Now now);
  // Forgets a waiting request (the handler stopped waiting).
  void cancel(uint64_t session_id, uint64_t request_id);
  // Forgets every request of a session that is gone.
  void dropSession(uint64_t session_id);

  // What a call came to. Returns true when a circuit closed, so jobs it
  // held may start. Unknown names are ignored.
  bool report(std::string_view name, wire::ResourceSignal signal, uint64_t retry_after_ms, Now now);
  // Refills buckets, grants what they allow and half-opens circuits whose
  // time is up. Returns true when a circuit half-opened.
  bool advance(Now now);
  // Answers to send since the last call.
  std::vector<PermitAnswer> takeAnswers() { return std::exchange(answers_, {}); }
  // The next monotonic time advance() has something to do, if any.
  std::optional<TimeMs> nextDue(Now now) const;

  void addStats(wire::StatsReply& out, Now now) const;

 private:
  void refill(Resource& resource, TimeMs now_mono);
  void grant(Resource& resource, Now now);
  // `why` says what opened it, for the refusals it sends.
  void open(Resource& resource, const std::string& why, Now now);
  void refuseWaiting(Resource& resource, const std::string& why);
  void answer(const PermitWaiter& waiter, Status status);

  std::vector<Resource> resources_;  // sorted by name
  std::vector<PermitAnswer> answers_;
};

// The circuit-breaker gate: a job of a kind that declares a resource (its
// handler's resources(), sent in the worker's hello) waits while that
// resource's circuit is open, and while it is half-open with its one probe
// already running. Declarations accumulate: a kind declares the union of
// what its workers said. Names with no configured resource are ignored.
class CircuitGate final : public AdmissionGate {
 public:
  explicit CircuitGate(ResourceTable& resources) : resources_(resources) {}
  std::string_view name() const override { return "circuit open"; }
  bool admits(const LiveJob& job) const override;
  void onStarted(const LiveJob& job) override;
  void onStopped(const LiveJob& job) override;

  void declare(uint32_t kind, const std::vector<std::string>& resource_names);

 private:
  ResourceTable& resources_;
  std::vector<std::vector<uint32_t>> by_kind_;  // kind id -> resource indexes
};

}  // namespace gantry::broker
