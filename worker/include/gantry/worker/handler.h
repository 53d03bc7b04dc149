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
#include <string>
#include <string_view>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/trace/span.h"
#include "gantry/trace/span_context.h"
#include "gantry/trace/tracer.h"
#include "gantry/worker/cancel_token.h"

namespace gantry::worker {

// What one attempt came to. Plain value; build it with the named
// constructors. Only SUCCEEDED, RETRYABLE, FATAL and CANCELLED are valid
// handler outcomes; anything else is reported as RETRYABLE.
struct HandlerResult {
  wire::Outcome outcome = wire::OUTCOME_UNSPECIFIED;
  std::string result;  // bytes stored with the job on success
  std::string error;   // for people: what failed and, ideally, what to do

  static HandlerResult succeeded(std::string result = {});
  // A transient failure: the broker retries with backoff while attempts remain.
  static HandlerResult retryable(std::string error);
  // Retrying cannot help (bad input, revoked credentials): dead at once.
  static HandlerResult fatal(std::string error);
  // The handler stopped because its cancel token fired.
  static HandlerResult cancelled(std::string error = "cancelled");
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

// What a handler sees of its job. Owned by the worker for the duration of
// run(); handlers must not keep references past returning.
// Thread-compatible, except cancelToken() (thread-safe) and reportProgress()
// (callable from any thread the handler starts, while run() is active).
class JobContext {
 public:
  // REQUIRES: token != nullptr. `progress` may be empty (reports dropped).
  JobContext(JobInfo info, std::shared_ptr<CancelToken> token, ProgressSink progress,
             AttemptTrace trace = {});

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

 private:
  JobInfo info_;
  AttemptTrace trace_;
  std::shared_ptr<CancelToken> token_;
  ProgressSink progress_;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Runs one attempt. See the contract at the top of this file.
  virtual HandlerResult run(JobContext& ctx) = 0;
};

}  // namespace gantry::worker
