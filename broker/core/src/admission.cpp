#include "gantry/broker/core/admission.h"

#include <cstdint>
#include <map>
#include <string>

namespace gantry::broker {
namespace {

constexpr uint32_t kUnresolved = 0;  // a configured limit is at least 1
constexpr uint32_t kUnlimited = UINT32_MAX;

// The limit of the interned name `id` in `limits` (by name), cached by id
// so the hot path does not look names up.
uint32_t cachedLimit(std::vector<uint32_t>& cache, uint32_t id, const NameTable& names,
                     const std::map<std::string, uint32_t>& limits) {
  if (id >= cache.size()) {
    cache.resize(id + 1, kUnresolved);
  }
  if (cache[id] == kUnresolved) {
    auto it = limits.find(names.name(id));
    cache[id] = it == limits.end() ? kUnlimited : it->second;
  }
  return cache[id];
}

}  // namespace

bool QueueCapGate::admits(const LiveJob& job) const {
  const uint32_t limit = cachedLimit(limits_, job.queue, names_, config_.queue_limits);
  if (limit == kUnlimited) {
    return true;
  }
  const QueueState* state = queues_.find(job.queue);
  return state == nullptr || state->running < limit;
}

uint32_t KindCapGate::limitFor(uint32_t kind) const {
  return cachedLimit(limits_, kind, names_, config_.kind_limits);
}

bool KindCapGate::admits(const LiveJob& job) const {
  const uint32_t limit = limitFor(job.kind);
  return limit == kUnlimited || job.kind >= running_.size() || running_[job.kind] < limit;
}

void KindCapGate::onStarted(const LiveJob& job) {
  if (job.kind >= running_.size()) {
    running_.resize(job.kind + 1, 0);
  }
  ++running_[job.kind];
}

void KindCapGate::onStopped(const LiveJob& job) { --running_[job.kind]; }

}  // namespace gantry::broker
