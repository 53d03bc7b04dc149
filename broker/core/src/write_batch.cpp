#include "gantry/broker/core/write_batch.h"

#include <algorithm>

#include "gantry/common/job_state.h"

namespace gantry::broker {

void WriteBatch::addInsert(JobRow row) {
  insert_index_[row.id] = inserts_.size();
  inserts_.push_back(std::move(row));
}

void WriteBatch::addTransition(JobTransition transition) {
  if (auto it = insert_index_.find(transition.id); it != insert_index_.end()) {
    inserts_[it->second].status = std::move(transition.status);
    return;
  }
  if (auto it = transition_index_.find(transition.id); it != transition_index_.end()) {
    transitions_[it->second] = std::move(transition);
    return;
  }
  transition_index_[transition.id] = transitions_.size();
  transitions_.push_back(std::move(transition));
}

void WriteBatch::absorb(WriteBatch&& later) {
  if (empty()) {
    // The usual first step of merging; skips re-indexing every row.
    *this = std::move(later);
    return;
  }
  for (JobRow& row : later.inserts_) {
    addInsert(std::move(row));
  }
  for (JobTransition& transition : later.transitions_) {
    addTransition(std::move(transition));
  }
  for (AttemptRow& attempt : later.attempts_) {
    attempts_.push_back(std::move(attempt));
  }
  for (QueueSetting& setting : later.queue_settings_) {
    queue_settings_.push_back(std::move(setting));
  }
  later = WriteBatch{};
}

bool WriteBatch::empty() const { return size() == 0; }

bool WriteBatch::onlyNewJobs() const {
  return transitions_.empty() && attempts_.empty() && queue_settings_.empty() &&
         std::none_of(inserts_.begin(), inserts_.end(),
                      [](const JobRow& row) { return isFinalState(row.status.state); });
}

size_t WriteBatch::size() const {
  return inserts_.size() + transitions_.size() + attempts_.size() + queue_settings_.size();
}

}  // namespace gantry::broker
