#include "job_table.h"

#include <cassert>

namespace gantry::worker {

uint32_t JobTable::stuck() const {
  uint32_t n = 0;
  for (const auto& [key, job] : jobs_) {
    n += job.reported ? 1 : 0;
  }
  return n;
}

RunningJob& JobTable::add(RunningJob job) {
  assert(hasFreeThread());
  const Key key{job.job_id, job.lease};
  auto [it, inserted] = jobs_.emplace(key, std::move(job));
  assert(inserted);
  return it->second;
}

RunningJob* JobTable::find(uint64_t job_id, uint64_t lease) {
  auto it = jobs_.find(Key{job_id, lease});
  return it == jobs_.end() ? nullptr : &it->second;
}

std::vector<RunningJob*> JobTable::match(uint64_t job_id, uint64_t lease) {
  std::vector<RunningJob*> out;
  for (auto it = jobs_.lower_bound(Key{job_id, 0}); it != jobs_.end() && it->first.first == job_id;
       ++it) {
    if (lease == 0 || it->first.second == lease) {
      out.push_back(&it->second);
    }
  }
  return out;
}

void JobTable::remove(uint64_t job_id, uint64_t lease) { jobs_.erase(Key{job_id, lease}); }

std::vector<RunningJob*> JobTable::expired(TimeMs now_mono_ms) {
  std::vector<RunningJob*> out;
  for (auto& [key, job] : jobs_) {
    if (!job.reported && job.deadline_mono_ms != 0 && job.deadline_mono_ms <= now_mono_ms) {
      out.push_back(&job);
    }
  }
  return out;
}

std::optional<TimeMs> JobTable::nextDeadline() const {
  std::optional<TimeMs> next;
  for (const auto& [key, job] : jobs_) {
    if (!job.reported && job.deadline_mono_ms != 0 && (!next || job.deadline_mono_ms < *next)) {
      next = job.deadline_mono_ms;
    }
  }
  return next;
}

std::vector<RunningJob*> JobTable::unreported() {
  std::vector<RunningJob*> out;
  for (auto& [key, job] : jobs_) {
    if (!job.reported) {
      out.push_back(&job);
    }
  }
  return out;
}

bool JobTable::hasUnreported() const {
  for (const auto& [key, job] : jobs_) {
    if (!job.reported) {
      return true;
    }
  }
  return false;
}

}  // namespace gantry::worker
