// A stateless worker: connects a DEALER socket to the broker, announces its
// kinds and slots, runs assigned jobs on a pool of handler threads and
// reports results, heartbeating both ways (Paranoid Pirate). The wire
// conversation is in proto/gantry.proto; the behaviour in short:
//
//  - On every (re)connection: WorkerHello with held leases (jobs running
//    here, or finished with a result the broker has not yet been seen to
//    receive), then any such results again. Duplicates are harmless: the
//    broker records one result per lease.
//  - Heartbeat every heartbeat_ms, always, from the I/O thread, however busy
//    the handlers are. A broker silent for heartbeat_ms * liveness gets a
//    fresh socket after a jittered exponential backoff.
//  - Assign beyond free handler threads, or while draining: JobResult
//    HANDED_BACK at once. CancelJob: cancel token fires; the handler's
//    return is reported CANCELLED unless it SUCCEEDED.
//  - Deadline: cancel token fires (timeout), RETRYABLE is reported at once;
//    while the handler has not returned, advertised slots drop by one
//    (WorkerCredit) so the pool is never oversubscribed.
//  - requestStop(): WorkerCredit{0}, running jobs get shutdown_grace_ms, the
//    rest are cancelled and HANDED_BACK, messages are flushed (bounded by
//    flush_timeout_ms) and run() returns.
//  - Bad input from the broker is logged and counted, never fatal.
//
// Threading: run() is the I/O thread and owns the socket; handler threads
// talk to it only through a mailbox. requestStop() and stats() may be called
// from any thread.
#pragma once

#include <cstdint>
#include <memory>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/obs/observability.h"
#include "gantry/trace/tracer.h"
#include "gantry/worker/handler_registry.h"
#include "gantry/worker/worker_config.h"

namespace gantry::worker {

// Counters since start; a consistent-enough snapshot for tests.
struct WorkerStats {
  uint64_t malformed_messages = 0;   // undecodable or another protocol version
  uint64_t unexpected_messages = 0;  // well-formed, but no body a worker takes
  uint64_t reconnects = 0;           // sockets replaced after broker silence
  uint64_t jobs_started = 0;
  uint64_t jobs_timed_out = 0;
  uint64_t jobs_handed_back = 0;
  uint64_t results_sent = 0;  // including re-sends after reconnects
  // Now, as of the I/O thread's last turn:
  uint32_t slots = 0;            // handler threads
  uint32_t busy_slots = 0;       // threads running a handler
  uint64_t results_waiting = 0;  // results the broker may not have yet
  bool connected = false;        // the broker answered on the current socket
};

class WorkerLoop;
class HandlerDurations;

class Worker {
 public:
  // `registry` and `clock` are not owned and must outlive the worker.
  // REQUIRES: validateConfig(config, registry).isOk()
  Worker(WorkerConfig config, const HandlerRegistry& registry, Clock& clock);
  // Joins the handler threads; blocks while a handler ignores its cancelled
  // token (see runningHandlers()).
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs until a requested stop has completed. Call at most once, on the
  // thread that is to own the socket. Returns an error only when the worker
  // could not start (e.g. the endpoint is unusable).
  Status run();

  // Begins the graceful shutdown described above. Thread-safe and
  // async-signal-safe (an atomic store and an eventfd write), so a SIGTERM
  // handler may call it. Idempotent; may be called before run().
  void requestStop();

  // Thread-safe.
  WorkerStats stats() const;
  // Registers the worker's metrics and health checks (broker connected,
  // handlers registered) with `obs` (docs/observability.md). REQUIRES:
  // before run(); the worker outlives any listener `obs` serves.
  void observeWith(obs::Observability& obs);
  // Records a process span per attempt of a traced job, and the spans
  // handlers start (JobContext::startSpan), with `tracer`. REQUIRES: before
  // run(); the tracer outlives the worker.
  void traceWith(trace::Tracer& tracer);

  // After run() returned: handlers that ignored cancellation and are still
  // running. Destroying the worker would wait for them; a process that must
  // exit now can _exit instead.
  size_t runningHandlers() const;

  const std::string& workerId() const;

 private:
  std::unique_ptr<WorkerLoop> loop_;
};

}  // namespace gantry::worker
