#include "gantry/tools/render_json.h"

#include "gantry/common/job_spec.h"
#include "gantry/common/job_state.h"
#include "gantry/common/utf8.h"
#include "gantry/tools/text_encoding.h"

namespace gantry::tools {
namespace {

using nlohmann::json;

json timeOrNull(int64_t ms) { return ms == 0 ? json(nullptr) : json(ms); }

void putBytes(json& out, const std::string& field, const std::string& bytes) {
  const bool text = isValidUtf8(bytes);
  out[field] = text ? bytes : base64Encode(bytes);
  out[field + "_base64"] = !text;
}

json attemptToJson(const wire::Attempt& attempt) {
  return {
      {"attempt", attempt.attempt()},
      {"worker_id", attempt.worker_id()},
      {"started_at_ms", timeOrNull(attempt.started_at_ms())},
      {"finished_at_ms", timeOrNull(attempt.finished_at_ms())},
      {"outcome", std::string(outcomeName(attempt.outcome()))},
      {"error", attempt.error()},
  };
}

}  // namespace

json jobToJson(const wire::Job& job, bool include_bodies) {
  const wire::JobSpec& spec = job.spec();
  json out = {
      {"id", job.id()},
      {"state", std::string(jobStateName(job.state()))},
      {"queue", spec.queue()},
      {"kind", spec.kind()},
      {"priority", spec.priority()},
      {"concurrency_key", spec.concurrency_key()},
      {"unique_key", spec.unique_key()},
      {"attempt", job.attempt()},
      {"max_attempts", spec.max_attempts()},
      {"timeout_ms", spec.timeout_ms()},
      {"run_at_ms", timeOrNull(spec.run_at_ms())},
      {"created_at_ms", timeOrNull(job.created_at_ms())},
      {"updated_at_ms", timeOrNull(job.updated_at_ms())},
      {"started_at_ms", timeOrNull(job.started_at_ms())},
      {"finished_at_ms", timeOrNull(job.finished_at_ms())},
      {"worker_id", job.worker_id()},
      {"last_error", job.last_error()},
      {"traceparent", spec.traceparent()},
      {"progress", job.has_progress() ? json{{"percent", job.progress_percent()},
                                             {"message", job.progress_message()}}
                                      : json(nullptr)},
      {"partial", job.degraded_size() > 0},
      {"degraded", json::array()},
  };
  for (const auto& degraded : job.degraded()) {
    out["degraded"].push_back({{"what", degraded.what()}, {"reason", degraded.reason()}});
  }
  if (include_bodies) {
    putBytes(out, "payload", spec.payload());
    putBytes(out, "result", job.result());
  }
  return out;
}

json getReplyToJson(const wire::GetReply& reply) {
  json out = {{"job", jobToJson(reply.job(), true)}, {"attempts", json::array()}};
  for (const auto& attempt : reply.attempts()) {
    out["attempts"].push_back(attemptToJson(attempt));
  }
  return out;
}

json listReplyToJson(const wire::ListReply& reply) {
  const uint64_t next = reply.next_after_id();
  json out = {{"jobs", json::array()}, {"next_after_id", next == 0 ? json(nullptr) : json(next)}};
  for (const auto& job : reply.jobs()) {
    out["jobs"].push_back(jobToJson(job, false));
  }
  return out;
}

json statsToJson(const wire::StatsReply& reply) {
  json queues = json::array();
  for (const auto& q : reply.queues()) {
    json by_priority = json::object();
    for (const auto& [priority, count] : q.queued_by_priority()) {
      by_priority[std::to_string(priority)] = count;
    }
    queues.push_back({
        {"queue", q.queue()},
        {"paused", q.paused()},
        {"queued", q.queued()},
        {"delayed", q.delayed()},
        {"running", q.running()},
        {"capacity", q.capacity()},
        {"queued_by_priority", std::move(by_priority)},
    });
  }
  json unserved = json::array();
  for (const auto& kind : reply.unserved_kinds()) {
    unserved.push_back({{"kind", kind.kind()}, {"jobs", kind.jobs()}});
  }
  json resources = json::array();
  for (const auto& r : reply.resources()) {
    resources.push_back({
        {"name", r.name()},
        {"limit_per_s", r.limit_per_s()},
        {"rate_per_s", r.rate_per_s()},
        {"burst", r.burst()},
        {"tokens", r.tokens()},
        {"waiting", r.waiting()},
        {"held_until_ms", timeOrNull(r.held_until_ms())},
        {"circuit", r.circuit()},
        {"circuit_open_until_ms", timeOrNull(r.circuit_open_until_ms())},
        {"granted", r.granted_total()},
        {"pushbacks", r.pushbacks_total()},
        {"failures", r.failures_total()},
        {"circuit_opened", r.circuit_opened_total()},
        {"waited_ms", r.waited_ms_total()},
    });
  }
  return {
      {"queues", std::move(queues)},
      {"workers", reply.workers()},
      {"kinds_without_workers", std::move(unserved)},
      {"resources", std::move(resources)},
      {"totals",
       {
           {"submitted", reply.submitted_total()},
           {"succeeded", reply.succeeded_total()},
           {"partial", reply.partial_total()},
           {"failed", reply.failed_total()},
           {"retried", reply.retried_total()},
           {"dead", reply.dead_total()},
           {"cancelled", reply.cancelled_total()},
           {"rejected", reply.rejected_total()},
           {"stale_results", reply.stale_results_total()},
           {"unique_hits", reply.unique_hits_total()},
           {"handed_back", reply.handed_back_total()},
       }},
      {"broker",
       {
           {"holder", reply.broker()},
           {"owner_epoch", reply.owner_epoch()},
           {"owner_since_ms", reply.owner_since_ms()},
       }},
  };
}

json workersToJson(const wire::WorkersReply& reply) {
  json workers = json::array();
  for (const auto& w : reply.workers()) {
    workers.push_back({
        {"worker_id", w.worker_id()},
        {"host", w.host()},
        {"pid", w.pid()},
        {"kinds", json(std::vector<std::string>(w.kinds().begin(), w.kinds().end()))},
        {"slots", w.slots()},
        {"busy", w.busy()},
        {"connected_at_ms", timeOrNull(w.connected_at_ms())},
        {"last_seen_ms", timeOrNull(w.last_seen_ms())},
    });
  }
  return {{"workers", std::move(workers)}};
}

json idOutcomesToJson(const wire::IdOutcomesReply& reply) {
  json outcomes = json::array();
  for (const auto& o : reply.outcomes()) {
    outcomes.push_back({{"id", o.id()}, {"ok", o.ok()}, {"message", o.message()}});
  }
  return {{"outcomes", std::move(outcomes)}};
}

std::string dumpJson(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace gantry::tools
