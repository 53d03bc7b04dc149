#include "gantry/broker/row_wire.h"

namespace gantry::broker {

wire::Job rowToWire(const JobRow& row) {
  wire::Job out;
  out.set_id(row.id);
  auto* spec = out.mutable_spec();
  spec->set_queue(row.queue);
  spec->set_kind(row.kind);
  spec->set_priority(row.priority);
  spec->set_payload(row.payload);
  spec->set_concurrency_key(row.concurrency_key);
  spec->set_unique_key(row.unique_key);
  spec->set_run_at_ms(row.run_at_ms);
  spec->set_max_attempts(row.max_attempts);
  spec->set_timeout_ms(row.timeout_ms);
  spec->set_traceparent(row.traceparent);
  out.set_state(row.state);
  out.set_attempt(row.attempt);
  out.set_created_at_ms(row.created_at_ms);
  out.set_updated_at_ms(row.updated_at_ms);
  out.set_started_at_ms(row.started_at_ms);
  out.set_finished_at_ms(row.finished_at_ms);
  out.set_result(row.result);
  out.set_last_error(row.last_error);
  out.set_worker_id(row.worker_id);
  return out;
}

wire::Attempt attemptToWire(const AttemptRow& row) {
  wire::Attempt out;
  out.set_attempt(row.attempt);
  out.set_worker_id(row.worker_id);
  out.set_started_at_ms(row.started_at_ms);
  out.set_finished_at_ms(row.finished_at_ms);
  out.set_outcome(row.outcome);
  out.set_error(row.error);
  return out;
}

}  // namespace gantry::broker
