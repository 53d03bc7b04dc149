#include "gantry/broker/core/job_index.h"

#include <algorithm>

namespace gantry::broker {

LiveJob& JobIndex::add(uint64_t id) {
  LiveJob& job = jobs_[id];
  job.id = id;
  next_id_ = std::max(next_id_, id + 1);
  return job;
}

void JobIndex::erase(LiveJob& job) {
  if (const std::string& unique = job.uniqueKey(); !unique.empty()) {
    auto it = unique_keys_.find(unique);
    if (it != unique_keys_.end() && it->second == job.id) {
      unique_keys_.erase(it);
    }
  }
  jobs_.erase(job.id);
}

void JobIndex::continueAfter(uint64_t max_id) { next_id_ = std::max(next_id_, max_id + 1); }

std::optional<uint64_t> JobIndex::holderOf(const std::string& unique_key) const {
  auto it = unique_keys_.find(unique_key);
  return it == unique_keys_.end() ? std::nullopt : std::optional<uint64_t>(it->second);
}

bool JobIndex::claimUniqueKey(const std::string& unique_key, uint64_t id) {
  return unique_keys_.emplace(unique_key, id).second;
}

}  // namespace gantry::broker
