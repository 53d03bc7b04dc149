// The job record: what the broker persists about a job and each of its
// attempts, as plain values. This is the one definition of their fields.
// The store's column lists, row encoders and decoders, the SQL that moves a
// row between tables, and the checks that the wire form carries every field
// are all derived from the visitors below, in the order they list the
// fields, so a field added here reaches every one of them and a list that
// is out of order cannot be written by hand.
//
// A job's fields fall in two parts: those fixed when it was created, and its
// status, which every transition replaces as a whole.
#pragma once

#include <cstdint>
#include <string>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

struct JobFixed {
  std::string queue;
  std::string kind;
  int32_t priority = 0;
  std::string payload;  // bytes
  std::string concurrency_key;
  std::string unique_key;
  std::string traceparent;
  uint32_t max_attempts = 0;
  uint32_t timeout_ms = 0;
  TimeMs created_at_ms = 0;
};

struct JobStatus {
  wire::JobState state = wire::QUEUED;
  uint32_t attempt = 0;  // attempts started; a hand-back gives its number back
  TimeMs run_at_ms = 0;  // wall time it may (next) run
  TimeMs updated_at_ms = 0;
  TimeMs started_at_ms = 0;   // of the current or last attempt
  TimeMs finished_at_ms = 0;  // set in final states
  std::string result;         // bytes
  std::string last_error;
  std::string worker_id;  // of the current or last attempt
  uint64_t lease = 0;     // of the current attempt; 0 when none runs
  // A partial success: a JSON array of {"what", "reason"}; '' otherwise.
  std::string degraded;
};

struct JobRow {
  uint64_t id = 0;
  JobFixed fixed;
  JobStatus status;
};

// A state change of a job that is already stored: its new status.
struct JobTransition {
  uint64_t id = 0;
  JobStatus status;
};

// One finished attempt (the running one is visible on the job row). An
// attempt is identified by its job and lease: every attempt, hand-backs
// included, gets a lease of its own.
struct AttemptRow {
  uint64_t job_id = 0;
  uint64_t lease = 0;
  uint32_t attempt = 0;
  std::string worker_id;
  TimeMs started_at_ms = 0;
  TimeMs finished_at_ms = 0;
  wire::Outcome outcome = wire::OUTCOME_UNSPECIFIED;
  std::string error;
};

// Marks a std::string field stored as bytes (bytea) rather than text.
struct AsBytes {};
inline constexpr AsBytes kBytes;

// Visitors: call `visit(name, field)` (or `visit(name, field, kBytes)`) for
// each field in column order. Templates on the record type so that one list
// serves const and mutable records alike. `visit` must accept std::string,
// the integer types used here, wire::JobState and wire::Outcome.
template <class Fixed, class Visit>
void visitFixed(Fixed& f, Visit&& visit) {
  visit("queue", f.queue);
  visit("kind", f.kind);
  visit("priority", f.priority);
  visit("payload", f.payload, kBytes);
  visit("concurrency_key", f.concurrency_key);
  visit("unique_key", f.unique_key);
  visit("traceparent", f.traceparent);
  visit("max_attempts", f.max_attempts);
  visit("timeout_ms", f.timeout_ms);
  visit("created_at_ms", f.created_at_ms);
}

template <class Status, class Visit>
void visitStatus(Status& s, Visit&& visit) {
  visit("state", s.state);
  visit("attempt", s.attempt);
  visit("run_at_ms", s.run_at_ms);
  visit("updated_at_ms", s.updated_at_ms);
  visit("started_at_ms", s.started_at_ms);
  visit("finished_at_ms", s.finished_at_ms);
  visit("result", s.result, kBytes);
  visit("last_error", s.last_error);
  visit("worker_id", s.worker_id);
  visit("lease", s.lease);
  visit("degraded", s.degraded);
}

// id, then the fixed fields, then the status.
template <class Row, class Visit>
void visitJob(Row& row, Visit&& visit) {
  visit("id", row.id);
  visitFixed(row.fixed, visit);
  visitStatus(row.status, visit);
}

template <class Transition, class Visit>
void visitTransition(Transition& t, Visit&& visit) {
  visit("id", t.id);
  visitStatus(t.status, visit);
}

template <class Attempt, class Visit>
void visitAttempt(Attempt& a, Visit&& visit) {
  visit("job_id", a.job_id);
  visit("lease", a.lease);
  visit("attempt", a.attempt);
  visit("worker_id", a.worker_id);
  visit("started_at_ms", a.started_at_ms);
  visit("finished_at_ms", a.finished_at_ms);
  visit("outcome", a.outcome);
  visit("error", a.error);
}

}  // namespace gantry::broker
