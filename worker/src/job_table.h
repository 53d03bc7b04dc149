// The I/O thread's record of handler threads in use. An entry exists from
// Assign until the handler returns; `reported` marks entries whose result the
// broker already has (timeout, hand-back) while the handler still runs.
// Slot arithmetic lives here so that it is written once:
//   busy threads   = entries
//   stuck          = reported entries (threads the broker thinks are free)
//   advertised     = threads - stuck (0 while draining, decided by the caller)
// Single-threaded: owned by the I/O thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/worker/cancel_token.h"

namespace gantry::worker {

struct RunningJob {
  uint64_t job_id = 0;
  uint64_t lease = 0;
  std::string kind;
  std::string trace_id;  // for logs; empty when the job has no traceparent
  std::string span_id;   // the attempt's process span, for logs
  std::shared_ptr<CancelToken> token;
  TimeMs started_mono_ms = 0;
  TimeMs deadline_mono_ms = 0;  // 0 = none
  bool reported = false;
};

class JobTable {
 public:
  using Key = std::pair<uint64_t, uint64_t>;  // job id, lease

  // REQUIRES: threads > 0
  explicit JobTable(uint32_t threads) : threads_(threads) {}

  bool hasFreeThread() const { return jobs_.size() < threads_; }
  size_t busyThreads() const { return jobs_.size(); }
  uint32_t stuck() const;
  uint32_t advertisedSlots() const { return threads_ - stuck(); }

  // REQUIRES: hasFreeThread() and no entry for the same job id and lease.
  RunningJob& add(RunningJob job);
  RunningJob* find(uint64_t job_id, uint64_t lease);
  // Entries of `job_id` matching `lease`, or all of them when lease is 0.
  std::vector<RunningJob*> match(uint64_t job_id, uint64_t lease);
  void remove(uint64_t job_id, uint64_t lease);

  // Unreported entries whose deadline is at or before `now_mono_ms`.
  std::vector<RunningJob*> expired(TimeMs now_mono_ms);
  // The earliest deadline (monotonic) of an unreported entry.
  std::optional<TimeMs> nextDeadline() const;

  std::vector<RunningJob*> unreported();
  bool hasUnreported() const;

 private:
  uint32_t threads_;
  std::map<Key, RunningJob> jobs_;
};

}  // namespace gantry::worker
