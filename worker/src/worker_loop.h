// The worker's I/O thread: one poll loop over the broker socket, the
// handler mailbox and the stop eventfd. Everything here except
// requestStop() and stats() runs on the thread that calls run(). The public
// contract is in gantry/worker/worker.h; this is its implementation, split
// across worker_loop.cpp (loop, timers, connection), worker_messages.cpp
// (one handler per broker message) and worker_jobs.cpp (job lifecycle).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "broker_connection.h"
#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/common/mailbox.h"
#include "gantry/net/poll_set.h"
#include "gantry/worker/worker.h"
#include "handler_durations.h"
#include "handler_pool.h"
#include "job_table.h"
#include "permit_client.h"
#include "result_outbox.h"

namespace gantry::worker {

// Handler thread -> I/O thread.
struct Completion {
  uint64_t job_id = 0;
  uint64_t lease = 0;
  HandlerResult result;
  std::vector<wire::JobSpec> children;  // fan-out, when it succeeded
};
struct ProgressUpdate {
  uint64_t job_id = 0;
  uint64_t lease = 0;
  uint32_t percent = 0;
  std::string message;
};
using HandlerEvent =
    std::variant<Completion, ProgressUpdate, PermitAsk, PermitAbandon, ResourceNote>;

class WorkerLoop {
 public:
  WorkerLoop(WorkerConfig config, const HandlerRegistry& registry, Clock& clock);

  Status run();
  void requestStop();
  WorkerStats stats() const;
  void observeWith(obs::Observability& obs);
  void traceWith(trace::Tracer& tracer) { tracer_ = &tracer; }
  size_t runningHandlers() const { return jobs_.busyThreads(); }
  const std::string& workerId() const { return worker_id_; }

 private:
  struct Counters {
    std::atomic<uint64_t> malformed_messages{0};
    std::atomic<uint64_t> unexpected_messages{0};
    std::atomic<uint64_t> reconnects{0};
    std::atomic<uint64_t> jobs_started{0};
    std::atomic<uint64_t> jobs_timed_out{0};
    std::atomic<uint64_t> jobs_handed_back{0};
    std::atomic<uint64_t> results_sent{0};
    // Gauges, stored by the I/O thread after each turn.
    std::atomic<uint32_t> busy_slots{0};
    std::atomic<uint64_t> results_waiting{0};
    std::atomic<bool> connected{false};
  };

  // worker_loop.cpp: loop, timers, connection.
  void pollOnce(Now now);
  void onTimers(Now now);
  int64_t pollTimeoutMs(Now now) const;
  Status connect(Now now);
  void dropConnection(Now now);
  void heard(Now now);
  void sendHello();
  void sendHeartbeat(Now now);
  void updateCredit();
  uint32_t advertisedSlots() const;
  void flushOutbox();
  void finish();

  // worker_messages.cpp: bytes from the broker, one handler per message.
  void receiveAll(Now now);
  void onBrokerBytes(const std::string& bytes, Now now);
  void onAssign(const wire::Assign& assign, Now now);
  void onCancelJob(const wire::CancelJob& cancel);
  // `sequence`: of our message that found no session (protocol.md).
  void onReannounce(uint64_t sequence);
  void onError(const wire::Error& error);
  void countBadInput(std::atomic<uint64_t>& counter, const std::string& what);

  // worker_jobs.cpp: job lifecycle.
  void startJob(const wire::Assign& assign, Handler& handler, Now now);
  void drainHandlerEvents();
  void onCompletion(Completion&& completion);
  void onProgress(const ProgressUpdate& progress);
  void expireDeadlines(Now now);
  void beginDrain(Now now);
  void handBackRemaining();
  void queueResult(uint64_t job_id, uint64_t lease, wire::Outcome outcome, std::string result,
                   std::string error);
  void queueResult(wire::JobResult message);
  void handBack(uint64_t job_id, uint64_t lease, std::string reason);
  Handler* handlerFor(const std::string& kind) const;
  void awaitHandlers(int64_t budget_ms);

  const WorkerConfig config_;
  const HandlerRegistry& registry_;
  Clock& clock_;
  const std::string worker_id_;
  const std::string host_;
  const std::vector<std::string> kinds_;  // announced, sorted

  zmq::context_t context_;
  BrokerConnection connection_;
  Mailbox<HandlerEvent> events_;
  EventFd stop_event_;
  PollSet poll_set_;  // I/O thread only
  std::atomic<bool> stop_requested_{false};
  Counters counters_;
  std::unique_ptr<HandlerDurations> durations_;  // I/O thread observes
  std::atomic<TimeMs> last_turn_mono_ms_{0};     // for the liveness probe
  trace::Tracer* tracer_ = nullptr;              // set before run(); null: tracing off

  JobTable jobs_;
  ResultOutbox outbox_;
  PermitClient permits_;
  std::mt19937_64 rng_;

  // Liveness, on the monotonic clock: a step of the wall clock neither
  // drops the connection nor delays a heartbeat.
  bool confirmed_ = false;  // heard from the broker on this socket
  TimeMs last_heard_mono_ms_ = 0;
  TimeMs last_heartbeat_mono_ms_ = 0;
  uint32_t reconnect_failures_ = 0;
  TimeMs disconnected_at_mono_ms_ = 0;  // valid while the connection is closed
  uint64_t reconnect_delay_ms_ = 0;
  // The sequence number of the last hello sent: a Reannounce for an earlier
  // message is answered by that hello already.
  uint64_t hello_sequence_ = 0;
  // Tells the broker a re-announce of this process from a restart under
  // the same worker id.
  const uint64_t instance_;

  bool draining_ = false;
  TimeMs drain_started_mono_ms_ = 0;
  uint32_t last_advertised_ = 0;  // slots the broker was last told

  // Last: destroyed first, so no handler thread outlives what it touches.
  std::unique_ptr<HandlerPool> pool_;
};

}  // namespace gantry::worker
