// The batch that carries one group commit's worth of what the broker
// persists (job_record.h). The batch coalesces: a job inserted and
// finished inside one batch becomes one history row, and several
// transitions of one job collapse into the last, because every transition
// carries the job's complete mutable state. Not thread-safe; moved between
// threads whole.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/job_record.h"

namespace gantry::broker {

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
