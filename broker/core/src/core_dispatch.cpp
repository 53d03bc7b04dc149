// Matching runnable jobs to worker slots: each worker in turn takes the best
// lane head admission lets through, one job per worker per round, so work
// spreads across the pool.
#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/core/row_wire.h"

namespace gantry::broker {

void BrokerCore::dispatch(Now now) {
  bool progress = true;
  while (progress) {
    progress = false;
    for (uint64_t session_id : sessions_.dispatchOrder()) {
      WorkerSession* worker = sessions_.byId(session_id);
      if (worker == nullptr || worker->freeSlots() == 0) {
        continue;
      }
      if (LiveJob* job = lanes_.popBest(worker->kinds, admission_)) {
        startRunning(*job, *worker, now);
        progress = true;
      }
    }
  }
  sessions_.rotate();
}

void BrokerCore::sendAssign(LiveJob& job, WorkerSession& worker) {
  wire::Envelope env;
  auto* assign = env.mutable_assign();
  *assign->mutable_job() = toWire(job);
  assign->set_lease(job.lease->token);
  if (job.extras && !job.extras->traceparent.empty()) {
    // Span ids are random 64-bit values that are never 0 (protocol.md).
    assign->set_dispatch_span_id(rng_() | 1);
    assign->set_previous_attempt_span_id(job.extras->attempt_span_id);
    job.extras->attempt_span_id = rng_() | 1;
    assign->set_attempt_span_id(job.extras->attempt_span_id);
  }
  sendToWorker(worker, std::move(env));
}

}  // namespace gantry::broker
