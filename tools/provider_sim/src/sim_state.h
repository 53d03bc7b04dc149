// The simulator's mutable state behind one mutex: the resource ledger
// (limits and accounting), the request faults, and the data faults
// (expired tokens, removed transcripts) over the immutable Dataset. Every
// I/O thread calls in; each call holds the lock briefly and does no I/O.
// Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/sim/dataset.h"
#include "gantry/sim/fault_table.h"
#include "gantry/sim/resource_ledger.h"
#include "gantry/sim/sim_config.h"

namespace gantry::sim {

// What happens to one provider request before its endpoint sees it.
struct Admission {
  enum class Refusal { kNone, kLimit, kThrottleFault, kErrorFault, kOutage, kTooManyResources };
  Refusal refusal = Refusal::kNone;
  int status = 0;  // the refusal's HTTP status
  std::optional<int64_t> retry_after_s;
  bool drop_connection = false;
  int64_t delay_ms = 0;
  bool limit_violation = false;
  bool retry_after_violation = false;
};

class SimState {
 public:
  // REQUIRES: `dataset` and `clock` outlive this.
  SimState(const SimConfig& config, const Dataset& dataset, Clock& clock);

  // Accounts one request for `resource` and decides: faults first (an
  // outage, injected throttling or errors), then the rate limit. A refusal
  // is recorded as answered.
  Admission admit(const std::string& resource);
  // The endpoint answered `status` (after admit() let the request through).
  void served(const std::string& resource, int status, std::optional<int64_t> retry_after_s);

  // The clock's wall time (Zoom's default date range is "today").
  TimeMs wallMs() const { return clock_.wallMs(); }

  bool tokenExpired(Platform platform, int user_index) const;
  // True when the meeting has no transcript now (generated so, or removed).
  bool transcriptMissing(const Meeting& meeting) const;

  // Adds a fault; resolves the user or meeting of a data fault against the
  // data set (kNotFound when unknown).
  Status addFault(const FaultSpec& spec);
  // Clears request faults, expired tokens and removed transcripts.
  void clearFaults();
  nlohmann::json describeFaults() const;

  nlohmann::json stats() const;
  nlohmann::json arrivals(const std::string& resource) const;
  void reset();

 private:
  const Dataset& dataset_;
  Clock& clock_;
  mutable std::mutex mutex_;
  ResourceLedger ledger_;                              // GUARDED_BY(mutex_)
  FaultTable faults_;                                  // GUARDED_BY(mutex_)
  std::set<std::pair<Platform, int>> expired_tokens_;  // GUARDED_BY(mutex_)
  std::set<const Meeting*> removed_transcripts_;       // GUARDED_BY(mutex_)
};

}  // namespace gantry::sim
