#include "gantry/broker/core/key_caps.h"

namespace gantry::broker {

bool KeyCaps::reserveOrWait(LiveJob& job) {
  KeyState& key = keys_[job.concurrency_key];
  if (queues_.paused(job.queue) ||
      key.running + key.reserved >= config_.keyLimitFor(job.concurrency_key)) {
    wait(job, key);
    return false;
  }
  ++key.reserved;
  return true;
}

void KeyCaps::wait(LiveJob& job, KeyState& key) {
  job.slot = Slot::kKeyWait;
  key.waiting_room.push(jobs_.enterHeap(job, job.rank));
  ++key.waiting;
}

void KeyCaps::started(const LiveJob& job) {
  KeyState& key = keys_[job.concurrency_key];
  --key.reserved;
  ++key.running;
}

std::vector<LiveJob*> KeyCaps::release(const std::string& key_name) {
  std::vector<LiveJob*> released;
  auto it = keys_.find(key_name);
  if (it == keys_.end()) {
    return released;
  }
  KeyState& key = it->second;
  const uint32_t limit = config_.keyLimitFor(key_name);
  std::vector<HeapEntry> paused;  // stay waiting, in their order
  while (key.running + key.reserved < limit && !key.waiting_room.empty()) {
    const HeapEntry entry = key.waiting_room.top();
    key.waiting_room.pop();
    LiveJob* job = jobs_.current(entry, Slot::kKeyWait);
    if (job == nullptr) {
      continue;  // stale: the job was cancelled while waiting
    }
    if (queues_.paused(job->queue)) {
      paused.push_back(entry);
      continue;
    }
    --key.waiting;
    ++key.reserved;
    job->slot = Slot::kNone;
    released.push_back(job);
  }
  for (const HeapEntry& entry : paused) {
    key.waiting_room.push(entry);
  }
  if (key.running == 0 && key.reserved == 0 && key.waiting == 0) {
    keys_.erase(it);
  }
  return released;
}

std::vector<LiveJob*> KeyCaps::holdPaused(const std::vector<LiveJob*>& in_lanes) {
  std::vector<std::string> freed;
  for (LiveJob* job : in_lanes) {
    KeyState& key = keys_[job->concurrency_key];
    --key.reserved;
    wait(*job, key);  // the lane's entry goes stale
    freed.push_back(job->concurrency_key);
  }
  std::vector<LiveJob*> released;
  for (const std::string& name : freed) {
    for (LiveJob* job : release(name)) {
      released.push_back(job);
    }
  }
  return released;
}

std::vector<LiveJob*> KeyCaps::releaseAll() {
  std::vector<std::string> waiting;
  for (const auto& [name, key] : keys_) {
    if (key.waiting > 0) {
      waiting.push_back(name);
    }
  }
  std::vector<LiveJob*> released;
  for (const std::string& name : waiting) {
    for (LiveJob* job : release(name)) {
      released.push_back(job);
    }
  }
  return released;
}

}  // namespace gantry::broker
