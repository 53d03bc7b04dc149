// What the broker persists, as plain rows, and the batch that carries one
// group commit's worth of them. The batch coalesces: a job inserted and
// finished inside one batch becomes one history row, and several
// transitions of one job collapse into the last, because every transition
// carries the job's complete mutable state. Not thread-safe; moved between
// threads whole.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

// A job's complete row.
struct JobRow {
  uint64_t id = 0;
  std::string queue;
  std::string kind;
  int32_t priority = 0;
  std::string payload;
  std::string concurrency_key;
  std::string unique_key;
  std::string traceparent;
  TimeMs run_at_ms = 0;
  uint32_t max_attempts = 0;
  uint32_t timeout_ms = 0;
  wire::JobState state = wire::QUEUED;
  uint32_t attempt = 0;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  TimeMs started_at_ms = 0;
  TimeMs finished_at_ms = 0;
  std::string result;
  std::string last_error;
  std::string worker_id;
  uint64_t lease = 0;
};

// The mutable part of a row after a state change.
struct JobTransition {
  uint64_t id = 0;
  wire::JobState state = wire::QUEUED;
  uint32_t attempt = 0;
  TimeMs run_at_ms = 0;
  TimeMs updated_at_ms = 0;
  TimeMs started_at_ms = 0;
  TimeMs finished_at_ms = 0;
  std::string worker_id;
  uint64_t lease = 0;
  std::string result;
  std::string last_error;
};

// One finished attempt (the running one is visible on the job row).
struct AttemptRow {
  uint64_t job_id = 0;
  uint32_t attempt = 0;
  std::string worker_id;
  TimeMs started_at_ms = 0;
  TimeMs finished_at_ms = 0;
  wire::Outcome outcome = wire::OUTCOME_UNSPECIFIED;
  std::string error;
};

struct QueueSetting {
  std::string queue;
  bool paused = false;
};

class WriteBatch {
 public:
  void addInsert(JobRow row);
  void addTransition(JobTransition transition);
  void addAttempt(AttemptRow attempt) { attempts_.push_back(std::move(attempt)); }
  void addQueueSetting(QueueSetting setting) { queue_settings_.push_back(std::move(setting)); }

  // Appends a later batch, coalescing as if its writes had been added here.
  void absorb(WriteBatch&& later);

  bool empty() const;
  size_t size() const;
  // Only jobs new to the store, none of them final, and nothing else: the
  // usual batch of submits, which the store writes with one statement that
  // commits on its own.
  bool onlyNewJobs() const;

  // Jobs first written in this batch, with later transitions applied; some
  // may already be final.
  const std::vector<JobRow>& inserts() const { return inserts_; }
  // Jobs that already exist in the store; at most one entry per job.
  const std::vector<JobTransition>& transitions() const { return transitions_; }
  const std::vector<AttemptRow>& attempts() const { return attempts_; }
  const std::vector<QueueSetting>& queueSettings() const { return queue_settings_; }

 private:
  std::vector<JobRow> inserts_;
  std::vector<JobTransition> transitions_;
  std::vector<AttemptRow> attempts_;
  std::vector<QueueSetting> queue_settings_;
  // job id -> index into inserts_ or transitions_.
  std::unordered_map<uint64_t, size_t> insert_index_;
  std::unordered_map<uint64_t, size_t> transition_index_;
};

}  // namespace gantry::broker
