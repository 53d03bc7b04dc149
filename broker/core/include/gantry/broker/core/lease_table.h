// Running jobs by when their lease expires: the moment the broker gives up
// on an attempt whose worker has not reported (timeout plus grace, or a
// recovered attempt whose worker did not come back). Monotonic time, so a
// wall-clock step never expires a lease. Not thread-safe: part of the core.
#pragma once

#include <vector>

#include "gantry/broker/core/job_heap.h"
#include "gantry/broker/core/job_index.h"

namespace gantry::broker {

class LeaseTable {
 public:
  explicit LeaseTable(JobIndex& jobs) : jobs_(jobs) {}

  // Watches a running job's lease->expires_mono_ms; call again after it
  // changes (the earlier entry goes stale).
  void watch(LiveJob& job) { heap_.push(jobs_.enterHeap(job, job.lease->expires_mono_ms)); }
  // Running jobs whose lease expired at or before `now_mono_ms`.
  std::vector<LiveJob*> takeExpired(TimeMs now_mono_ms) {
    return jobs_.takeUpTo(heap_, now_mono_ms, Slot::kRunning);
  }

 private:
  JobIndex& jobs_;
  JobHeap heap_;
};

}  // namespace gantry::broker
