#include "gantry/tools/render_human.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "gantry/common/job_spec.h"
#include "gantry/common/job_state.h"
#include "gantry/common/utf8.h"
#include "gantry/tools/table.h"
#include "gantry/tools/text_encoding.h"
#include "gantry/tools/time_text.h"

namespace gantry::tools {
namespace {

// Wide enough to tell errors apart, narrow enough for a terminal row.
constexpr size_t kErrorColumnChars = 60;

std::string orDash(const std::string& text) { return text.empty() ? "-" : text; }

std::string whenOrDash(TimeMs ms, TimeMs now) { return ms == 0 ? "-" : formatRelative(ms, now); }

std::string exactTime(TimeMs ms, TimeMs now) {
  return ms == 0 ? "-" : formatTimestamp(ms) + " (" + formatRelative(ms, now) + ")";
}

// Attempts started out of the job's maximum: "2/5". The broker stores the
// kind's default as the maximum of a job submitted without one, so every
// job it reports has one; a reply without it shows only the count.
std::string attemptsText(const wire::Job& job) {
  const uint32_t max = job.spec().max_attempts();
  return std::to_string(job.attempt()) + (max == 0 ? "" : "/" + std::to_string(max));
}

bool isPrintableText(const std::string& bytes) {
  if (!isValidUtf8(bytes)) {
    return false;
  }
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7f) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string describeState(const wire::Job& job, TimeMs now) {
  std::string state(jobStateName(job.state()));
  if (job.degraded_size() > 0) {
    state += " (partial)";
  }
  const TimeMs run_at = job.spec().run_at_ms();
  if (run_at > now && job.state() == wire::QUEUED) {
    state += ", runs " + formatRelative(run_at, now);
  } else if (run_at > now && job.state() == wire::FAILED) {
    state += ", retry " + formatRelative(run_at, now);
  }
  return state;
}

std::string describeBytes(const std::string& bytes) {
  if (bytes.empty()) {
    return "-";
  }
  if (isPrintableText(bytes)) {
    return bytes;
  }
  return "<" + std::to_string(bytes.size()) + " bytes of binary data; use --json for base64>";
}

std::string describeProgress(const wire::Job& job) {
  if (!job.has_progress()) {
    return "-";
  }
  std::string out = std::to_string(job.progress_percent()) + "%";
  if (!job.progress_message().empty()) {
    out += " " + sanitizeCell(job.progress_message());
  }
  return out;
}

std::string renderJobDetail(const wire::GetReply& reply, TimeMs now) {
  const wire::Job& job = reply.job();
  const wire::JobSpec& spec = job.spec();
  const std::string timeout =
      spec.timeout_ms() == 0 ? "kind default" : formatDurationMs(spec.timeout_ms());
  const std::string max_attempts =
      spec.max_attempts() == 0 ? "kind default" : std::to_string(spec.max_attempts());
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(job.id())},
      {"state", describeState(job, now)},
      {"queue", spec.queue()},
      {"kind", spec.kind()},
      {"priority", std::to_string(spec.priority())},
      {"concurrency key", orDash(spec.concurrency_key())},
      {"unique key", orDash(spec.unique_key())},
      {"attempts", std::to_string(job.attempt()) + " of " + max_attempts},
      {"timeout", timeout},
      {"run at", spec.run_at_ms() == 0 ? "on submit" : exactTime(spec.run_at_ms(), now)},
      {"created", exactTime(job.created_at_ms(), now)},
      {"updated", exactTime(job.updated_at_ms(), now)},
      {"started", exactTime(job.started_at_ms(), now)},
      {"finished", exactTime(job.finished_at_ms(), now)},
      {"worker", orDash(job.worker_id())},
      {"progress", describeProgress(job)},
      {"last error", sanitizeCell(orDash(job.last_error()))},
      {"traceparent", orDash(spec.traceparent())},
      {"payload", describeBytes(spec.payload())},
      {"result", describeBytes(job.result())},
  };
  for (const auto& degraded : job.degraded()) {
    fields.emplace_back(
        "degraded", sanitizeCell(degraded.what() + ": " + degraded.reason(), kErrorColumnChars));
  }
  std::string out = renderFields(fields);
  if (reply.attempts_size() == 0) {
    return out;
  }
  Table attempts({"ATTEMPT", "WORKER", "STARTED", "DURATION", "OUTCOME", "ERROR"});
  attempts.alignRight(0);
  attempts.alignRight(3);
  for (const auto& a : reply.attempts()) {
    const bool finished = a.finished_at_ms() != 0 && a.started_at_ms() != 0;
    attempts.addRow(
        {std::to_string(a.attempt()), orDash(a.worker_id()), whenOrDash(a.started_at_ms(), now),
         finished ? formatDurationMs(a.finished_at_ms() - a.started_at_ms()) : "-",
         a.finished_at_ms() == 0 ? std::string("running") : std::string(outcomeName(a.outcome())),
         sanitizeCell(orDash(a.error()), kErrorColumnChars)});
  }
  return out + "\n" + attempts.render();
}

std::string renderJobTable(const wire::ListReply& reply, TimeMs now) {
  Table table({"ID", "STATE", "QUEUE", "KIND", "PRI", "ATTEMPT", "KEY", "UPDATED", "ERROR"});
  table.alignRight(0);
  table.alignRight(4);
  for (const auto& job : reply.jobs()) {
    table.addRow({std::to_string(job.id()), describeState(job, now), job.spec().queue(),
                  job.spec().kind(), std::to_string(job.spec().priority()), attemptsText(job),
                  orDash(job.spec().concurrency_key()), whenOrDash(job.updated_at_ms(), now),
                  sanitizeCell(job.last_error(), kErrorColumnChars)});
  }
  return table.render();
}

std::string renderStats(const wire::StatsReply& reply) {
  Table queues({"QUEUE", "STATUS", "QUEUED", "DELAYED", "RUNNING", "CAPACITY", "BY PRIORITY"});
  for (size_t column = 2; column <= 5; ++column) {
    queues.alignRight(column);
  }
  for (const auto& q : reply.queues()) {
    // Highest priority first, as the broker serves them.
    std::vector<std::pair<int32_t, uint64_t>> levels(q.queued_by_priority().begin(),
                                                     q.queued_by_priority().end());
    std::sort(levels.begin(), levels.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string by_priority;
    for (const auto& [priority, count] : levels) {
      by_priority +=
          (by_priority.empty() ? "" : " ") + std::to_string(priority) + ":" + std::to_string(count);
    }
    queues.addRow({q.queue(), q.paused() ? "paused" : "active", std::to_string(q.queued()),
                   std::to_string(q.delayed()), std::to_string(q.running()),
                   std::to_string(q.capacity()), orDash(by_priority)});
  }
  const std::vector<std::pair<std::string, std::string>> totals = {
      {"workers", std::to_string(reply.workers())},
      {"submitted", std::to_string(reply.submitted_total())},
      {"succeeded", std::to_string(reply.succeeded_total())},
      {"of them partial", std::to_string(reply.partial_total())},
      {"failed attempts", std::to_string(reply.failed_total())},
      {"retried", std::to_string(reply.retried_total())},
      {"dead", std::to_string(reply.dead_total())},
      {"cancelled", std::to_string(reply.cancelled_total())},
      {"rejected", std::to_string(reply.rejected_total())},
      {"stale results", std::to_string(reply.stale_results_total())},
      {"unique hits", std::to_string(reply.unique_hits_total())},
      {"handed back", std::to_string(reply.handed_back_total())},
      {"broker", orDash(reply.broker())},
      {"owner epoch", reply.owner_epoch() == 0 ? "-"
                                               : std::to_string(reply.owner_epoch()) + " since " +
                                                     formatTimestamp(reply.owner_since_ms())},
  };
  std::string out = queues.render() + "\n" + renderFields(totals);
  if (reply.unserved_kinds_size() > 0) {
    // Work that waits for a worker that may never come: say so plainly.
    Table unserved({"KIND WITHOUT WORKERS", "JOBS"});
    unserved.alignRight(1);
    for (const auto& kind : reply.unserved_kinds()) {
      unserved.addRow({kind.kind(), std::to_string(kind.jobs())});
    }
    out += "\n" + unserved.render();
  }
  if (reply.resources_size() > 0) {
    out += "\n" + renderResources(reply);
  }
  return out;
}

std::string renderResources(const wire::StatsReply& reply) {
  Table table({"RESOURCE", "LIMIT/S", "RATE/S", "TOKENS", "WAITING", "HELD UNTIL", "CIRCUIT",
               "GRANTED", "PUSHBACKS", "FAILURES"});
  for (size_t column : {1, 2, 3, 4, 7, 8, 9}) {
    table.alignRight(column);
  }
  auto decimal = [](double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", value);
    return std::string(text);
  };
  for (const auto& r : reply.resources()) {
    std::string circuit = r.circuit();
    if (r.circuit_open_until_ms() != 0) {
      circuit += " until " + formatTimestamp(r.circuit_open_until_ms());
    }
    table.addRow({r.name(), decimal(r.limit_per_s()), decimal(r.rate_per_s()), decimal(r.tokens()),
                  std::to_string(r.waiting()),
                  r.held_until_ms() == 0 ? "-" : formatTimestamp(r.held_until_ms()), circuit,
                  std::to_string(r.granted_total()), std::to_string(r.pushbacks_total()),
                  std::to_string(r.failures_total())});
  }
  return table.render();
}

std::string renderWorkers(const wire::WorkersReply& reply, TimeMs now) {
  Table table({"WORKER", "HOST", "PID", "SLOTS", "BUSY", "KINDS", "CONNECTED", "LAST SEEN"});
  table.alignRight(2);
  table.alignRight(3);
  table.alignRight(4);
  for (const auto& w : reply.workers()) {
    std::string kinds;
    for (const auto& kind : w.kinds()) {
      kinds += (kinds.empty() ? "" : ",") + kind;
    }
    table.addRow({w.worker_id(), orDash(w.host()), std::to_string(w.pid()),
                  std::to_string(w.slots()), std::to_string(w.busy()), orDash(kinds),
                  whenOrDash(w.connected_at_ms(), now), whenOrDash(w.last_seen_ms(), now)});
  }
  return table.render();
}

std::string renderIdOutcomes(const wire::IdOutcomesReply& reply, const std::string& done_word) {
  Table table({"ID", "RESULT", "MESSAGE"});
  table.alignRight(0);
  for (const auto& o : reply.outcomes()) {
    // The broker's message says more than a fixed word ("cancelling: worker
    // w-1 was told to stop"), so it wins when present.
    const std::string message = o.message().empty() ? (o.ok() ? done_word : "-") : o.message();
    table.addRow({std::to_string(o.id()), o.ok() ? "ok" : "refused", message});
  }
  return table.render();
}

}  // namespace gantry::tools
