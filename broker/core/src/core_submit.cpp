// Submission: validation, defaults, unique keys and queue capacity.
#include <map>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {
namespace {

std::string queueOf(const wire::JobSpec& spec) {
  return spec.queue().empty() ? std::string(kDefaultQueue) : spec.queue();
}

}  // namespace

BrokerCore::BrokerCore(const BrokerConfig& config, uint64_t seed) : config_(config), rng_(seed) {}

BrokerCore::~BrokerCore() = default;

Result<wire::SubmitReply> BrokerCore::submit(const wire::SubmitRequest& request, TimeMs now) {
  if (request.jobs_size() == 0) {
    return invalidArgument("submit carries no jobs");
  }
  // Pass 1: validate everything and resolve unique keys, changing nothing.
  std::vector<std::optional<uint64_t>> existing(request.jobs_size());
  std::map<std::string, uint64_t> new_per_queue;
  std::unordered_map<std::string, int> batch_unique;  // key -> index in batch
  for (int i = 0; i < request.jobs_size(); ++i) {
    const auto& spec = request.jobs(i);
    if (Status s = validateJobSpec(spec, config_.limits); !s.isOk()) {
      return Status(s.code(), "job " + std::to_string(i) + ": " + s.message());
    }
    if (!spec.unique_key().empty()) {
      if (auto it = unique_keys_.find(spec.unique_key()); it != unique_keys_.end()) {
        existing[i] = it->second;
        continue;
      }
      if (!batch_unique.emplace(spec.unique_key(), i).second) {
        continue;  // same key earlier in this batch: resolved in pass 2
      }
    }
    ++new_per_queue[queueOf(spec)];
  }
  for (const auto& [queue, count] : new_per_queue) {
    const uint64_t capacity = config_.capacityFor(queue);
    // Look up without interning: a refused request leaves no trace.
    const auto id = names_.find(queue);
    auto it = id ? queues_.find(*id) : queues_.end();
    const uint64_t live = it == queues_.end() ? 0 : it->second.live();
    if (live + count > capacity) {
      return Status(
          StatusCode::kResourceExhausted,
          queueFullMessage(queue, live, capacity) + ", this request adds " + std::to_string(count));
    }
  }

  // Pass 2: create.
  wire::SubmitReply reply;
  for (int i = 0; i < request.jobs_size(); ++i) {
    const auto& spec = request.jobs(i);
    if (existing[i]) {
      reply.add_ids(*existing[i]);
      reply.add_duplicate(true);
      ++counters_.unique_hits;
      continue;
    }
    if (!spec.unique_key().empty()) {
      if (auto it = unique_keys_.find(spec.unique_key()); it != unique_keys_.end()) {
        reply.add_ids(it->second);
        reply.add_duplicate(true);
        ++counters_.unique_hits;
        continue;
      }
    }
    const KindPolicy& policy = config_.policyFor(spec.kind());
    LiveJob& job = jobs_[next_job_id_];
    job.id = next_job_id_++;
    job.queue = names_.intern(queueOf(spec));
    job.kind = names_.intern(spec.kind());
    job.priority = spec.priority();
    job.max_attempts = spec.max_attempts() == 0 ? policy.max_attempts : spec.max_attempts();
    job.timeout_ms = spec.timeout_ms() == 0 ? policy.timeout_ms : spec.timeout_ms();
    job.run_at_ms = spec.run_at_ms() == 0 ? now : spec.run_at_ms();
    job.created_at_ms = now;
    job.updated_at_ms = now;
    job.payload = spec.payload();
    job.concurrency_key = spec.concurrency_key();
    if (!spec.unique_key().empty() || !spec.traceparent().empty()) {
      job.mutableExtras().unique_key = spec.unique_key();
      job.mutableExtras().traceparent = spec.traceparent();
    }
    if (!spec.unique_key().empty()) {
      unique_keys_[spec.unique_key()] = job.id;
    }
    job.rank = std::max(job.run_at_ms, now) - job.priority * config_.aging_ms;
    effects_.writes.addInsert(toRow(job));
    makeRunnable(job, now);
    ++counters_.submitted;
    reply.add_ids(job.id);
    reply.add_duplicate(false);
  }
  dispatch(now);
  return reply;
}

}  // namespace gantry::broker
