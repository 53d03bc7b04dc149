// The seam between the worker and the work: a Handler runs one attempt of
// one job kind. Domain handlers (meeting sync, episode processing, ...)
// implement this interface and are added to a HandlerRegistry in main.
//
// Contract for handler authors:
//  - run() is called on a handler thread, possibly concurrently for several
//    jobs on the same Handler object, so a Handler must be thread-safe.
//  - Be idempotent: delivery is at-least-once, an attempt may run again after
//    a crash or lost result. Write with upserts keyed by natural keys.
//  - Honour ctx.cancelToken(): check it between steps and wait with
//    cancelToken().waitFor() instead of sleeping. A handler that ignores it
//    keeps its thread busy after a timeout and the worker advertises one slot
//    fewer until it returns.
//  - Return a HandlerResult; throwing is tolerated (reported as RETRYABLE
//    with the exception text) but is not the way to report expected failures.
//  - Never log the payload; it may carry personal data or credentials.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/trace/span.h"
#include "gantry/trace/span_context.h"
#include "gantry/trace/tracer.h"
#include "gantry/worker/cancel_token.h"

namespace gantry::worker {

// One part of a job's work a handler gave up on while the rest succeeded.
struct Degradation {
  std::string what;    // e.g. "summary of meeting 7"
  std::string reason;  // e.g. "summarizer unavailable after 3 tries"
};

// What one attempt came to. Plain value; build it with the named
// constructors. Only SUCCEEDED, RETRYABLE, FATAL and CANCELLED are valid
// handler outcomes; anything else is reported as RETRYABLE.
struct HandlerResult {
  wire::Outcome outcome = wire::OUTCOME_UNSPECIFIED;
  std::string result;  // bytes stored with the job on success
  std::string error;   // for people: what failed and, ideally, what to do
  // RETRYABLE: retry no sooner than this (the upstream said when); 0 = the
  // kind's backoff.
  uint64_t retry_after_ms = 0;
  // RETRYABLE: the external resource whose failure this was. While its
  // circuit is open the attempt is not counted against max_attempts.
  std::string resource;
  // SUCCEEDED: non-empty marks the success partial.
  std::vector<Degradation> degraded;

  static HandlerResult succeeded(std::string result = {});
  // Succeeded, but some of the work was given up on: the job ends
  // `succeeded` and is marked partial with `degraded` (at least one entry).
  static HandlerResult partial(std::string result, std::vector<Degradation> degraded);
  // A transient failure: the broker retries with backoff while attempts remain.
  static HandlerResult retryable(std::string error);
  // A transient failure whose retry must wait at least `delay_ms` (e.g. an
  // upstream's Retry-After); overrides the kind's backoff.
  static HandlerResult retryAfter(std::string error, uint64_t delay_ms);
  // A transient failure of the external `resource` (5xx, timeout, 429, its
  // circuit open): retried like retryAfter(), and not counted as an attempt
  // while the resource's circuit is open.
  static HandlerResult resourceFailed(std::string resource, std::string error,
                                      uint64_t retry_after_ms = 0);
  // Retrying cannot help (bad input, revoked credentials): dead at once.
  static HandlerResult fatal(std::string error);
  // The handler stopped because its cancel token fired.
  static HandlerResult cancelled(std::string error = "cancelled");

  bool isPartial() const { return outcome == wire::OUTCOME_SUCCEEDED && !degraded.empty(); }
};

// The identity and inputs of one attempt. Plain value.
struct JobInfo {
  uint64_t job_id = 0;
  uint64_t lease = 0;  // identifies this attempt to the broker
  std::string queue;
  std::string kind;
  uint32_t attempt = 0;  // 1 on the first attempt
  std::string payload;   // opaque bytes from the submitter
  // Wall time (unix ms, this host's clock) after which the attempt is
  // aborted; 0 = none. Enforced on the monotonic clock: timeout_ms after
  // the worker received the job.
  TimeMs deadline_ms = 0;
  std::string traceparent;  // W3C trace context; empty when the submitter had none
};

// Where an attempt sits in its trace: the worker's process span (valid when
// the job carries a traceparent, recorded only when sampled and tracing is
// on) and the tracer that records its children (null: tracing off).
struct AttemptTrace {
  trace::SpanContext span;
  trace::Tracer* tracer = nullptr;
};

// Receives progress reports; called on the handler's thread.
using ProgressSink = std::function<void(uint32_t percent, std::string message)>;

// The pool-wide limits of external resources, held by the broker
// (docs/handlers.md, "Resources"). The worker implements it; handlers use
// it through JobContext. Thread-safe.
class ResourceLimiter {
 public:
  virtual ~ResourceLimiter() = default;
  // Blocks until the broker allows `count` more calls on `resource` for the
  // attempt `job`, or `token` is cancelled (the deadline cancels it too).
  virtual Status acquire(const JobInfo& job, CancelToken& token, std::string_view resource,
                         uint32_t count) = 0;
  // What a call on `resource` came to; feeds the resource's adaptive rate
  // and its circuit breaker. Asynchronous, never blocks.
  virtual void report(std::string_view resource, wire::ResourceSignal signal,
                      uint64_t retry_after_ms) = 0;
};

// What a handler sees of its job. Owned by the worker for the duration of
// run(); handlers must not keep references past returning.
// Thread-compatible, except cancelToken() (thread-safe) and reportProgress()
// (callable from any thread the handler starts, while run() is active).
class JobContext {
 public:
  // REQUIRES: token != nullptr. `progress` may be empty (reports dropped).
  // `limiter` may be null: then acquire() grants at once and reports are
  // dropped (handler unit tests).
  JobContext(JobInfo info, std::shared_ptr<CancelToken> token, ProgressSink progress,
             AttemptTrace trace = {}, ResourceLimiter* limiter = nullptr);

  uint64_t jobId() const { return info_.job_id; }
  uint64_t lease() const { return info_.lease; }
  const std::string& queue() const { return info_.queue; }
  const std::string& kind() const { return info_.kind; }
  uint32_t attempt() const { return info_.attempt; }
  std::string_view payload() const { return info_.payload; }
  TimeMs deadlineMs() const { return info_.deadline_ms; }
  const std::string& traceparent() const { return info_.traceparent; }

  CancelToken& cancelToken() { return *token_; }
  bool isCancelled() const { return token_->isCancelled(); }

  // Tells the broker how far the attempt has come. Advisory: reports may be
  // coalesced or dropped (e.g. while the broker is unreachable). percent is
  // clamped to 100; keep messages short and free of payload data.
  void reportProgress(uint32_t percent, std::string_view message);

  // The attempt's process span: pass spanContext().traceparent() on to
  // services this handler calls (invalid when the job is not traced).
  const trace::SpanContext& spanContext() const { return trace_.span; }
  // A child span of the attempt's process span, for an HTTP call
  // (SpanKind::kClient), a database write, a step worth timing. Not
  // recording when the job is not traced, not sampled or tracing is off;
  // then it costs a branch. End it (or let it go out of scope) before run()
  // returns. Record errors with setError(text), never the payload.
  // Callable from any thread the handler starts, while run() is active.
  trace::Span startSpan(std::string_view name,
                        trace::SpanKind kind = trace::SpanKind::kInternal) const;

  // Waits for the pool-wide limit of `resource` to allow `count` more calls
  // (count <= the resource's burst). Ok when allowed; otherwise:
  //   kUnavailable      the resource's circuit is open, or the attempt was
  //                     cancelled or reached its deadline while waiting;
  //                     return resourceFailed(resource, status.message())
  //   kInvalidArgument  the broker has no limit for `resource`, or count is
  //                     more than its burst: a configuration error
  // Callable from any thread the handler starts, while run() is active.
  Status acquire(std::string_view resource, uint32_t count = 1);
  // Tells the broker what a call on `resource` came to (HttpClient does
  // this for calls it makes): RESOURCE_OK, RESOURCE_FAILURE (5xx, timeout,
  // refused), RESOURCE_PUSHBACK with the upstream's Retry-After.
  void reportResource(std::string_view resource, wire::ResourceSignal signal,
                      uint64_t retry_after_ms = 0);

  // Fan-out: a job to create when, and only if, this attempt succeeds; it is
  // committed together with the success (docs/handlers.md, "Fan-out").
  void fanOut(wire::JobSpec child);
  // The jobs fanOut() collected, for the worker. Leaves none behind.
  std::vector<wire::JobSpec> takeChildren();

 private:
  JobInfo info_;
  AttemptTrace trace_;
  std::shared_ptr<CancelToken> token_;
  ProgressSink progress_;
  ResourceLimiter* limiter_;
  std::mutex children_mutex_;  // fanOut() may be called from handler-started threads
  std::vector<wire::JobSpec> children_;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Runs one attempt. See the contract at the top of this file.
  virtual HandlerResult run(JobContext& ctx) = 0;
  // The external resources this handler calls (names configured on the
  // broker with --resource). Jobs of its kind wait in their queue while the
  // circuit of any of them is open, instead of failing attempts.
  virtual std::vector<std::string> resources() const { return {}; }
};

}  // namespace gantry::worker
