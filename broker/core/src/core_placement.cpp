// Where runnable, delayed and key-capped jobs sit, and the bookkeeping that
// keeps queue counts and key slots right as they move.
#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

BrokerCore::QueueState& BrokerCore::queueState(uint32_t queue) { return queues_[queue]; }

void BrokerCore::countReady(const LiveJob& job, int delta) {
  QueueState& qs = queueState(job.queue);
  qs.ready += delta;
  qs.ready_by_priority[job.priority] += delta;
}

BrokerCore::Lane& BrokerCore::laneFor(uint32_t queue, uint32_t kind) {
  const uint64_t key = (static_cast<uint64_t>(queue) << 32) | kind;
  auto [it, inserted] = lane_index_.try_emplace(key, lanes_.size());
  if (inserted) {
    Lane lane;
    lane.queue = queue;
    lane.kind = kind;
    if (auto q = config_.queue_limits.find(names_.name(queue)); q != config_.queue_limits.end()) {
      lane.queue_limit = q->second;
    }
    if (auto k = config_.kind_limits.find(names_.name(kind)); k != config_.kind_limits.end()) {
      lane.kind_limit = k->second;
    }
    lanes_.push_back(std::move(lane));
  }
  return lanes_[it->second];
}

void BrokerCore::makeRunnable(LiveJob& job, TimeMs now) {
  if (job.run_at_ms > now) {
    delay(job);
    return;
  }
  countReady(job, +1);
  if (!job.concurrency_key.empty()) {
    KeyState& key = keys_[job.concurrency_key];
    // A job of a paused queue cannot start, so it must not hold a slot of
    // its key that a job of another queue could use: it waits beside the
    // key until its queue resumes.
    if (queueState(job.queue).paused ||
        key.running + key.promoted >= config_.keyLimitFor(job.concurrency_key)) {
      waitBesideKey(job, key);
      return;
    }
    ++key.promoted;
  }
  placeInLane(job);
}

void BrokerCore::waitBesideKey(LiveJob& job, KeyState& key) {
  job.slot = Slot::kKeyWait;
  job.heap_seq = next_heap_seq_++;
  key.waiting.push({job.rank, job.id, job.heap_seq});
  ++key.waiting_count;
}

void BrokerCore::releaseKeySlotsOfPausedQueue(uint32_t queue) {
  std::vector<std::string> freed;
  for (auto& [id, job] : jobs_) {
    if (job.slot != Slot::kLane || job.queue != queue || job.concurrency_key.empty()) {
      continue;
    }
    KeyState& key = keys_[job.concurrency_key];
    --key.promoted;
    waitBesideKey(job, key);  // the lane's entry goes stale
    freed.push_back(job.concurrency_key);
  }
  for (const std::string& key : freed) {
    promoteKeyWaiters(key);
  }
}

void BrokerCore::promoteAllKeyWaiters() {
  std::vector<std::string> waiting;
  for (const auto& [name, key] : keys_) {
    if (key.waiting_count > 0) {
      waiting.push_back(name);
    }
  }
  for (const std::string& key : waiting) {
    promoteKeyWaiters(key);
  }
}

void BrokerCore::placeInLane(LiveJob& job) {
  job.slot = Slot::kLane;
  job.heap_seq = next_heap_seq_++;
  laneFor(job.queue, job.kind).heap.push({job.rank, job.id, job.heap_seq});
}

void BrokerCore::delay(LiveJob& job) {
  job.slot = Slot::kDelayed;
  job.heap_seq = next_heap_seq_++;
  delayed_.push({job.run_at_ms, job.id, job.heap_seq});
  ++queueState(job.queue).delayed;
}

void BrokerCore::unplace(LiveJob& job) {
  switch (job.slot) {
    case Slot::kLane:
      countReady(job, -1);
      if (!job.concurrency_key.empty()) {
        --keys_[job.concurrency_key].promoted;
      }
      break;
    case Slot::kKeyWait:
      countReady(job, -1);
      --keys_[job.concurrency_key].waiting_count;
      break;
    case Slot::kDelayed:
      --queueState(job.queue).delayed;
      break;
    case Slot::kRunning:  // released by releaseRunning, never here
    case Slot::kNone:
      break;
  }
  job.slot = Slot::kNone;
}

void BrokerCore::promoteKeyWaiters(const std::string& key_name) {
  auto it = keys_.find(key_name);
  if (it == keys_.end()) {
    return;
  }
  KeyState& key = it->second;
  const uint32_t limit = config_.keyLimitFor(key_name);
  std::vector<HeapEntry> paused;  // stay waiting, in their order
  while (key.running + key.promoted < limit && !key.waiting.empty()) {
    const HeapEntry entry = key.waiting.top();
    key.waiting.pop();
    LiveJob* job = findJob(entry.id);
    if (job == nullptr || job->slot != Slot::kKeyWait || job->heap_seq != entry.seq) {
      continue;  // stale: the job was cancelled while waiting
    }
    if (queueState(job->queue).paused) {
      paused.push_back(entry);
      continue;
    }
    --key.waiting_count;
    ++key.promoted;
    placeInLane(*job);
  }
  for (const HeapEntry& entry : paused) {
    key.waiting.push(entry);
  }
}

void BrokerCore::releaseKeySlotIfIdle(const std::string& key_name) {
  auto it = keys_.find(key_name);
  if (it != keys_.end() && it->second.running == 0 && it->second.promoted == 0 &&
      it->second.waiting_count == 0) {
    keys_.erase(it);  // keys come and go (one per user); do not accumulate them
  }
}

void BrokerCore::promoteDueJobs(TimeMs now) {
  while (!delayed_.empty() && delayed_.top().order <= now) {
    const HeapEntry entry = delayed_.top();
    delayed_.pop();
    LiveJob* job = findJob(entry.id);
    if (job == nullptr || job->slot != Slot::kDelayed || job->heap_seq != entry.seq) {
      continue;
    }
    unplace(*job);
    makeRunnable(*job, now);
  }
}

std::optional<TimeMs> BrokerCore::nextDelayedDue() {
  while (!delayed_.empty()) {
    const HeapEntry& entry = delayed_.top();
    const LiveJob* job = findJob(entry.id);
    if (job != nullptr && job->slot == Slot::kDelayed && job->heap_seq == entry.seq) {
      return entry.order;
    }
    delayed_.pop();
  }
  return std::nullopt;
}

}  // namespace gantry::broker
