// What the core tells an observer (the broker's metrics) as jobs move. Calls
// come on the core's thread, inside its event methods, on the per-job path:
// an implementation must not block, lock or allocate per call (it may when
// it first sees a queue or kind). Queues and kinds are NameTable ids; the
// observer resolves them with BrokerCore::name() when it first meets one.
#pragma once

#include <cstdint>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

class CoreObserver {
 public:
  virtual ~CoreObserver() = default;
  // A new job was created (not a unique-key hit).
  virtual void jobSubmitted(uint32_t queue, uint32_t kind) = 0;
  // An attempt was dispatched after waiting `waited_ms` since the job was
  // due (submitted, or its run_at for delayed jobs and retries).
  virtual void attemptStarted(uint32_t queue, uint32_t kind, TimeMs waited_ms) = 0;
  // An attempt ended with `outcome` after running `ran_ms`.
  virtual void attemptEnded(uint32_t queue, uint32_t kind, wire::Outcome outcome,
                            TimeMs ran_ms) = 0;
  // A failed attempt will be retried after its backoff.
  virtual void jobRetried(uint32_t queue, uint32_t kind) = 0;
  // The job reached a final state (SUCCEEDED, DEAD, CANCELLED).
  virtual void jobFinished(uint32_t queue, uint32_t kind, wire::JobState state) = 0;
  // A succeeded job was partial (reported before its jobFinished).
  virtual void jobPartial(uint32_t queue, uint32_t kind) = 0;

  // One that ignores everything: the core's until it is given another.
  static CoreObserver& none();
};

}  // namespace gantry::broker
