// Submission: validation, defaults, unique keys and queue capacity.
#include <map>
#include <set>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {
namespace {

std::string queueOf(const wire::JobSpec& spec) {
  return spec.queue().empty() ? std::string(kDefaultQueue) : spec.queue();
}

}  // namespace

Result<wire::SubmitReply> BrokerCore::submit(const wire::SubmitRequest& request, Now now) {
  if (request.jobs_size() == 0) {
    return invalidArgument("submit carries no jobs");
  }
  Result<SubmitPlan> plan = planSubmit(request.jobs());
  if (!plan.isOk()) {
    return plan.status();
  }
  wire::SubmitReply reply = createJobs(request.jobs(), plan.value(), now);
  dispatch(now);
  return reply;
}

Result<BrokerCore::SubmitPlan> BrokerCore::planSubmit(const Specs& specs) const {
  SubmitPlan plan;
  std::vector<std::optional<uint64_t>>& existing = plan.existing;
  existing.resize(specs.size());
  std::map<std::string, uint64_t> new_per_queue;
  std::set<std::string> batch_unique;
  for (int i = 0; i < specs.size(); ++i) {
    const auto& spec = specs.Get(i);
    if (Status s = validateJobSpec(spec, config_.limits); !s.isOk()) {
      return Status(s.code(), "job " + std::to_string(i) + ": " + s.message());
    }
    if (!spec.unique_key().empty()) {
      if (auto holder = jobs_.holderOf(spec.unique_key())) {
        existing[i] = holder;
        continue;
      }
      if (!batch_unique.insert(spec.unique_key()).second) {
        continue;  // same key earlier in this batch: resolved in pass 2
      }
    }
    ++new_per_queue[queueOf(spec)];
  }
  for (const auto& [queue, count] : new_per_queue) {
    const uint64_t capacity = config_.capacityFor(queue);
    // Look up without interning: a refused request leaves no trace.
    const auto id = names_.find(queue);
    const QueueState* state = id ? queues_.find(*id) : nullptr;
    const uint64_t live = state == nullptr ? 0 : state->live();
    if (live + count > capacity) {
      return Status(
          StatusCode::kResourceExhausted,
          queueFullMessage(queue, live, capacity) + ", this request adds " + std::to_string(count));
    }
  }
  return plan;
}

wire::SubmitReply BrokerCore::createJobs(const Specs& specs, const SubmitPlan& plan, Now now) {
  wire::SubmitReply reply;
  std::set<uint32_t> kinds;
  for (int i = 0; i < specs.size(); ++i) {
    const auto& spec = specs.Get(i);
    std::optional<uint64_t> holder = plan.existing[i];
    if (!holder && !spec.unique_key().empty()) {
      holder = jobs_.holderOf(spec.unique_key());  // an earlier spec of this batch
    }
    if (holder) {
      reply.add_ids(*holder);
      reply.add_duplicate(true);
      ++counters_.unique_hits;
      continue;
    }
    const KindPolicy& policy = config_.policyFor(spec.kind());
    LiveJob& job = jobs_.create();
    job.queue = names_.intern(queueOf(spec));
    job.kind = names_.intern(spec.kind());
    job.priority = spec.priority();
    job.max_attempts = spec.max_attempts() == 0 ? policy.max_attempts : spec.max_attempts();
    job.timeout_ms = spec.timeout_ms() == 0 ? policy.timeout_ms : spec.timeout_ms();
    job.run_at_ms = spec.run_at_ms() == 0 ? now.wall_ms : spec.run_at_ms();
    job.created_at_ms = now.wall_ms;
    job.updated_at_ms = now.wall_ms;
    job.payload = spec.payload();
    job.concurrency_key = spec.concurrency_key();
    if (!spec.unique_key().empty() || !spec.traceparent().empty()) {
      job.mutableExtras().unique_key = spec.unique_key();
      job.mutableExtras().traceparent = spec.traceparent();
    }
    if (!spec.unique_key().empty()) {
      jobs_.claimUniqueKey(spec.unique_key(), job.id);
    }
    const TimeMs due_mono = now.monoWhenWallShows(job.run_at_ms);
    job.rank = due_mono - job.priority * config_.aging_ms;
    createLive(job);
    effects_.writes.addInsert(toRow(job));
    enqueue(job, due_mono, now);
    ++counters_.submitted;
    observer_->jobSubmitted(job.queue, job.kind);
    reply.add_ids(job.id);
    reply.add_duplicate(false);
    kinds.insert(job.kind);
  }
  for (uint32_t kind : kinds) {
    if (!sessions_.anyRuns(kind)) {
      reply.add_warnings("no connected worker runs kind '" + names_.name(kind) +
                         "'; its jobs wait until one that does connects");
    }
  }
  return reply;
}

}  // namespace gantry::broker
