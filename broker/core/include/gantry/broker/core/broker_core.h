// The broker's scheduling core: a single-threaded state machine with no I/O.
// Event methods (submit, onHello, onResult, tick, ...) update the in-memory
// index and record what must be sent to workers and written to the store;
// the shell collects that with takeEffects() after every event. Client
// replies are return values; the shell sends them once the writes of the same
// event are durable.
//
// The core is a facade over parts a newcomer can find by name:
//   JobIndex        every job not yet final, by id; unique keys    job_index.h
//   QueueTable      per-queue pause flag and counts                queue_table.h
//   KeyCaps         the key cap: reservations, jobs beside keys    key_caps.h
//   Lanes           runnable jobs, one heap per (queue, kind)      lanes.h
//   Admission       the lane gates: pause, queue cap, kind cap,    admission.h
//                   circuit open                                   resource_table.h
//   DelayQueue      jobs waiting for run_at or a retry's backoff   delay_queue.h
//   LeaseTable      running jobs by lease expiry                   lease_table.h
//   WorkerSessions  connected workers and their slots              worker_sessions.h
//   ResourceTable   rate-limited resources: permits, circuits      resource_table.h
// The event methods live in core_*.cpp by topic; job_moves.cpp moves jobs
// between the parts and keeps their counts right.
//
// Scheduling rules (docs/job-semantics.md):
//  - A runnable job's rank is ready_at - priority * aging_ms on the monotonic
//    time line; the smallest rank runs first. Higher priority wins, FIFO
//    within a priority (ties by id), and a job gains one priority level per
//    aging_ms of waiting, so low priorities never starve.
//  - Admission (admission.h): the key cap on entry, then the lane gates,
//    then a worker with a free slot that runs the kind.
//
// Time: every event gets a Now. Wall time stamps what is persisted and
// shown; monotonic time runs leases, liveness, delays and heartbeats, so a
// step of the wall clock changes none of them (clock.h).
//
// Not thread-safe: owned by the broker loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gantry.pb.h"
#include "gantry/broker/core/admission.h"
#include "gantry/broker/core/config.h"
#include "gantry/broker/core/core_observer.h"
#include "gantry/broker/core/delay_queue.h"
#include "gantry/broker/core/job_index.h"
#include "gantry/broker/core/key_caps.h"
#include "gantry/broker/core/lanes.h"
#include "gantry/broker/core/lease_table.h"
#include "gantry/broker/core/name_table.h"
#include "gantry/broker/core/queue_table.h"
#include "gantry/broker/core/resource_table.h"
#include "gantry/broker/core/store_types.h"
#include "gantry/broker/core/worker_sessions.h"
#include "gantry/broker/core/write_batch.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"

namespace gantry::broker {

struct WorkerMessage {
  std::string routing_id;
  wire::Envelope envelope;
};

// What one or more events asked the shell to do.
struct Effects {
  std::vector<WorkerMessage> to_workers;
  WriteBatch writes;
};

// Where a worker message came from: its connection, and the sequence number
// the worker stamped on it (echoed in a Reannounce, protocol.md).
struct Sender {
  std::string_view routing_id;
  uint64_t sequence = 0;
};

// Totals since start, shown in stats.
struct CoreCounters {
  uint64_t submitted = 0;
  uint64_t succeeded = 0;
  uint64_t partial = 0;  // of succeeded: with degradations
  uint64_t failed_attempts = 0;
  uint64_t retried = 0;
  uint64_t dead = 0;
  uint64_t cancelled = 0;
  uint64_t stale_results = 0;
  uint64_t unique_hits = 0;
  uint64_t workers_lost = 0;
  uint64_t handed_back = 0;
  uint64_t reannounces_asked = 0;
};

class BrokerCore {
 public:
  // Hand-back guard: a job handed back again within kHandBackWindowMs of its
  // last hand-back is held back before it runs again (kHandBackFirstDelayMs,
  // doubling, at most kHandBackMaxDelayMs), and from the
  // (kFreeHandBacks + 1)-th hand-back in a row each one counts as a failed
  // attempt, so a job no worker will keep ends dead instead of bouncing
  // forever. A lone hand-back (a worker shutting down) costs nothing.
  static constexpr TimeMs kHandBackWindowMs = TimeMs{10} * 60 * 1000;
  static constexpr TimeMs kHandBackFirstDelayMs = 500;
  static constexpr TimeMs kHandBackMaxDelayMs = TimeMs{60} * 1000;
  static constexpr uint32_t kFreeHandBacks = 10;
  // A handler's "retry not before" is honoured up to this far ahead.
  static constexpr TimeMs kMaxRetryAfterMs = TimeMs{24} * 3600 * 1000;

  // REQUIRES: config outlives the core. seed feeds lease tokens and jitter.
  BrokerCore(const BrokerConfig& config, uint64_t seed);
  BrokerCore(const BrokerCore&) = delete;
  BrokerCore& operator=(const BrokerCore&) = delete;

  // Rebuild the index from the store at start: beginRestore() once, then
  // restoreJob() for every job not final, before any event. Jobs recorded
  // as running keep their lease until now + recovery_grace_ms, waiting for
  // their worker to re-announce them. REQUIRES: the running jobs come
  // first (they hold key slots the others must respect), as
  // PgStore::recover delivers them.
  void beginRestore(const RecoveredState& state, Now now);
  void restoreJob(const JobRow& row, Now now);

  // ---- client requests ----
  // All or nothing: every spec is validated and every queue's capacity
  // checked before any job is created. The reply warns about kinds no
  // connected worker runs.
  Result<wire::SubmitReply> submit(const wire::SubmitRequest& request, Now now);
  // Ids that are not live get NOT_FOUND; the shell tells final jobs from
  // unknown ones by asking the store.
  wire::IdOutcomesReply cancel(const wire::CancelRequest& request, Now now);
  Status setPaused(const std::string& queue, bool paused, Now now);
  // Jobs the store moved from dead back to the active table.
  void adoptRevived(std::vector<JobRow> rows, Now now);
  // How many more jobs each queue may hold now, for a revive.
  QueueRoom queueRoom() const;
  wire::StatsReply stats(Now now) const;
  wire::WorkersReply workers(Now now) const;
  // The job as the broker holds it, with its running attempt's progress.
  std::optional<wire::Job> findActive(uint64_t id) const;
  // Adds the running attempt's progress (kept in memory only) to a job
  // read from the store.
  void addLiveProgress(wire::Job& job) const;

  // ---- worker messages ----
  void onHello(Sender from, const wire::WorkerHello& hello, Now now);
  void onCredit(Sender from, const wire::WorkerCredit& credit, Now now);
  void onProgress(Sender from, const wire::Progress& progress, Now now);
  void onResult(Sender from, const wire::JobResult& result, Now now);
  void onHeartbeat(Sender from, Now now);
  // Permits and reports on rate-limited resources (core_resources.cpp).
  void onPermitRequest(Sender from, const wire::PermitRequest& request, Now now);
  void onPermitCancel(Sender from, const wire::PermitCancel& cancel, Now now);
  void onResourceReport(Sender from, const wire::ResourceReport& report, Now now);
  // The worker's connection is gone (its process exited, or the link
  // broke): it is lost at once, as if silent for the whole liveness window.
  // Returns its worker id, or nullopt when no such worker was connected.
  std::optional<std::string> onDisconnected(const std::string& routing_id, Now now);
  // Every connected worker's routing id, for probing after a disconnect.
  std::vector<std::string> workerRoutingIds() const { return sessions_.routingIds(); }

  // ---- time ----
  // Starts due delayed jobs, declares silent workers dead, expires leases,
  // sends heartbeats. Call at least every heartbeat_ms / 10.
  void tick(Now now);
  // The monotonic time a delayed job becomes due, if any.
  std::optional<TimeMs> nextDelayedDue() { return delayed_.nextDue(); }
  // The monotonic time a permit may be granted or a circuit half-opens.
  std::optional<TimeMs> nextResourceDue(Now now) const { return resources_.nextDue(now); }

  Effects takeEffects() { return std::exchange(effects_, {}); }
  const CoreCounters& counters() const { return counters_; }
  size_t liveJobs() const { return jobs_.size(); }

  // ---- observation ----
  // REQUIRES: `observer` outlives the core. Replaces the one before.
  void setObserver(CoreObserver& observer) { observer_ = &observer; }
  // The name of a queue or kind id an observer was given.
  const std::string& name(uint32_t id) const { return names_.name(id); }
  // Per queue: how long the job at the front of its line (the best-ranked
  // runnable job of each of its lanes) has been due, the longest of them.
  // Jobs further back may have waited longer by up to aging_ms per priority
  // level they trail by. Queues with no runnable job are absent.
  std::vector<std::pair<uint32_t, TimeMs>> frontWaits(Now now);
  // Workers connected, their slots in all, and how many are in use.
  struct SlotUse {
    uint64_t workers = 0;
    uint64_t slots = 0;
    uint64_t busy = 0;
  };
  SlotUse slotUse() const;

 private:
  // Job moves between the parts (job_moves.cpp).
  void enqueue(LiveJob& job, TimeMs due_mono_ms, Now now);
  void makeRunnable(LiveJob& job);
  void placeReleased(const std::vector<LiveJob*>& released);
  void unplace(LiveJob& job);
  void startRunning(LiveJob& job, WorkerSession& worker, Now now);
  void stopRunning(LiveJob& job);
  void createLive(LiveJob& job);
  void forget(LiveJob& job);

  // Dispatch (core_dispatch.cpp).
  void dispatch(Now now);
  void sendAssign(LiveJob& job, WorkerSession& worker);

  // Outcomes (core_outcomes.cpp).
  void finishAttempt(LiveJob& job, const wire::JobResult& result, Now now);
  void succeed(LiveJob& job, const wire::JobResult& result, Now now);
  // A failure of a resource whose circuit is open: the job waits in its
  // queue (the circuit gate holds it) and the attempt is not counted.
  void waitForResource(LiveJob& job, const std::string& error, Now now);
  // Retries after backoff (or right away when the job was not at fault,
  // e.g. its worker died) while attempts remain; otherwise dead.
  // `retry_after_ms` (the handler's "not before"), when set, replaces the
  // backoff.
  enum class Retry { kAfterBackoff, kNow };
  void failAttempt(LiveJob& job, const std::string& error, Now now,
                   Retry retry = Retry::kAfterBackoff, uint64_t retry_after_ms = 0);

  // Submission in two passes (core_submit.cpp), shared by submit() and a
  // fan-out's children: check every spec and resolve unique keys, changing
  // nothing; then create.
  using Specs = google::protobuf::RepeatedPtrField<wire::JobSpec>;
  struct SubmitPlan {
    // Per spec: the live job that already holds its unique key.
    std::vector<std::optional<uint64_t>> existing;
  };
  Result<SubmitPlan> planSubmit(const Specs& specs) const;
  wire::SubmitReply createJobs(const Specs& specs, const SubmitPlan& plan, Now now);
  void handBack(LiveJob& job, const std::string& why, Now now);
  void finalize(LiveJob& job, wire::JobState state, const std::string& result,
                const std::string& error, Now now, const std::string& degraded = {});
  void cancelQueued(LiveJob& job, Now now);
  // Ends the running attempt: records it and stops it running.
  void endAttempt(LiveJob& job, wire::Outcome outcome, const std::string& error, Now now);

  // Workers (core_workers.cpp).
  WorkerSession* sessionFor(Sender from, Now now);
  void replaceSession(WorkerSession& old, const wire::WorkerHello& hello, Now now);
  void dropSession(uint64_t session_id, const std::string& why, Now now);
  void adoptHeldLeases(WorkerSession& worker, const wire::WorkerHello& hello, Now now);
  void sendToWorker(const WorkerSession& worker, wire::Envelope envelope);
  void sendCancel(const WorkerSession& worker, uint64_t job_id, uint64_t lease);

  // Resources (core_resources.cpp).
  void advanceResources(Now now);
  void sendPermitAnswers();
  void declareResources(const wire::WorkerHello& hello);

  // Time (core_time.cpp).
  void expireWorkers(Now now);
  void expireLeases(Now now);
  void expireSuperseded(Now now);
  void promoteDueJobs(Now now);
  void sendHeartbeats(Now now);

  // Records (core_records.cpp).
  JobRow toRow(const LiveJob& job) const;
  static JobStatus statusOf(const LiveJob& job);
  LiveJob& createFromRow(const JobRow& row, Now now);
  void persistTransition(const LiveJob& job, TimeMs finished_at = 0, const std::string& result = {},
                         const std::string& degraded = {});
  wire::Job toWire(const LiveJob& job) const;
  static void addProgress(const LiveJob& job, wire::Job& out);

  const BrokerConfig& config_;
  std::mt19937_64 rng_;
  NameTable names_;
  JobIndex jobs_;
  QueueTable queues_;
  KeyCaps keys_;
  Lanes lanes_;
  Admission admission_;
  DelayQueue delayed_;
  LeaseTable leases_;
  WorkerSessions sessions_;
  ResourceTable resources_;
  CircuitGate* circuit_gate_;           // in admission_
  std::vector<uint64_t> live_by_kind_;  // by kind id: jobs not yet final
  TimeMs last_heartbeat_sent_mono_ms_ = 0;
  bool heartbeat_sent_ = false;
  CoreCounters counters_;
  Effects effects_;
  CoreObserver* observer_;  // never null: a no-op one until setObserver()
};

}  // namespace gantry::broker
