// The live job as the job record (job_record.h) and as the wire sees it,
// and the rows each change writes.
#include <algorithm>

#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/core/row_wire.h"

namespace gantry::broker {

JobRow BrokerCore::toRow(const LiveJob& job) const {
  JobRow row;
  row.id = job.id;
  JobFixed& fixed = row.fixed;
  fixed.queue = names_.name(job.queue);
  fixed.kind = names_.name(job.kind);
  fixed.priority = job.priority;
  fixed.payload = job.payload;
  fixed.concurrency_key = job.concurrency_key;
  fixed.unique_key = job.uniqueKey();
  fixed.traceparent = job.traceparent();
  fixed.max_attempts = job.max_attempts;
  fixed.timeout_ms = job.timeout_ms;
  fixed.created_at_ms = job.created_at_ms;
  row.status = statusOf(job);
  return row;
}

JobStatus BrokerCore::statusOf(const LiveJob& job) {
  JobStatus status;
  status.state = job.state;
  status.attempt = job.attempt;
  status.run_at_ms = job.run_at_ms;
  status.updated_at_ms = job.updated_at_ms;
  status.started_at_ms = job.started_at_ms;
  status.last_error = job.lastError();
  status.worker_id = job.workerId();
  status.lease = job.lease ? job.lease->token : 0;
  return status;
}

LiveJob& BrokerCore::createFromRow(const JobRow& row, Now now) {
  LiveJob& job = jobs_.add(row.id);
  const JobFixed& fixed = row.fixed;
  const JobStatus& status = row.status;
  job.queue = names_.intern(fixed.queue);
  job.kind = names_.intern(fixed.kind);
  job.priority = std::clamp(fixed.priority, kMinPriority, kMaxPriority);
  job.max_attempts = fixed.max_attempts;
  job.timeout_ms = fixed.timeout_ms;
  job.created_at_ms = fixed.created_at_ms;
  job.payload = fixed.payload;
  job.concurrency_key = fixed.concurrency_key;
  job.state = status.state;
  job.attempt = status.attempt;
  job.run_at_ms = status.run_at_ms;
  job.updated_at_ms = status.updated_at_ms;
  job.started_at_ms = status.started_at_ms;
  if (!fixed.unique_key.empty() || !fixed.traceparent.empty() || !status.last_error.empty() ||
      !status.worker_id.empty()) {
    JobExtras& extras = job.mutableExtras();
    extras.traceparent = fixed.traceparent;
    extras.last_error = status.last_error;
    extras.worker_id = status.worker_id;
    // A revived job whose unique key was taken meanwhile runs without it.
    if (!fixed.unique_key.empty() && jobs_.claimUniqueKey(fixed.unique_key, row.id)) {
      extras.unique_key = fixed.unique_key;
    }
  }
  job.rank =
      now.monoAt(std::max(job.run_at_ms, job.created_at_ms)) - job.priority * config_.aging_ms;
  createLive(job);
  return job;
}

void BrokerCore::persistTransition(const LiveJob& job, TimeMs finished_at,
                                   const std::string& result, const std::string& degraded) {
  JobTransition t{job.id, statusOf(job)};
  t.status.finished_at_ms = finished_at;  // the live job is never final: only now
  t.status.result = result;
  t.status.degraded = degraded;
  effects_.writes.addTransition(std::move(t));
}

wire::Job BrokerCore::toWire(const LiveJob& job) const {
  wire::Job out = rowToWire(toRow(job));
  addProgress(job, out);
  return out;
}

void BrokerCore::addProgress(const LiveJob& job, wire::Job& out) {
  if (job.slot == Slot::kRunning && job.lease->progress) {
    out.set_has_progress(true);
    out.set_progress_percent(job.lease->progress->percent());
    out.set_progress_message(job.lease->progress->message());
  }
}

}  // namespace gantry::broker
