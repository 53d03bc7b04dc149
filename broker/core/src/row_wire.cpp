#include "gantry/broker/core/row_wire.h"

namespace gantry::broker {

wire::Job rowToWire(JobRow row) {
  wire::Job out;
  out.set_id(row.id);
  auto* spec = out.mutable_spec();
  spec->set_queue(std::move(row.queue));
  spec->set_kind(std::move(row.kind));
  spec->set_priority(row.priority);
  spec->set_payload(std::move(row.payload));
  spec->set_concurrency_key(std::move(row.concurrency_key));
  spec->set_unique_key(std::move(row.unique_key));
  spec->set_run_at_ms(row.run_at_ms);
  spec->set_max_attempts(row.max_attempts);
  spec->set_timeout_ms(row.timeout_ms);
  spec->set_traceparent(std::move(row.traceparent));
  out.set_state(row.state);
  out.set_attempt(row.attempt);
  out.set_created_at_ms(row.created_at_ms);
  out.set_updated_at_ms(row.updated_at_ms);
  out.set_started_at_ms(row.started_at_ms);
  out.set_finished_at_ms(row.finished_at_ms);
  out.set_result(std::move(row.result));
  out.set_last_error(std::move(row.last_error));
  out.set_worker_id(std::move(row.worker_id));
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
