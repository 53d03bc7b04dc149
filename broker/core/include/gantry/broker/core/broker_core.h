// The broker's scheduling core: a single-threaded state machine with no I/O.
// Event methods (submit, onHello, onResult, tick, ...) update the in-memory
// index and record what must be sent to workers and written to the store;
// the shell collects that with takeEffects() after every event. Client
// replies are return values; the shell sends them once the writes of the same
// event are durable.
//
// Scheduling rules (docs/job-semantics.md):
//  - A runnable job's rank is ready_at - priority * aging_ms; the smallest
//    rank runs first. Higher priority wins, FIFO within a priority (ties by
//    id), and a job gains one priority level per aging_ms of waiting, so low
//    priorities never starve.
//  - Runnable jobs sit in one lane per (queue, kind). A job whose
//    concurrency key is at its cap waits beside its key, not in its lane, so
//    it never blocks other keys; it is promoted when the key frees up.
//  - Caps: worker slots (credit), running per kind, per queue, per key.
//
// Not thread-safe: owned by the broker loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gantry.pb.h"
#include "gantry/broker/core/config.h"
#include "gantry/broker/core/live_job.h"
#include "gantry/broker/core/store_types.h"
#include "gantry/broker/core/write_batch.h"
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

// Monotonic totals since start, exported as metrics and in stats.
struct CoreCounters {
  uint64_t submitted = 0;
  uint64_t succeeded = 0;
  uint64_t failed_attempts = 0;
  uint64_t retried = 0;
  uint64_t dead = 0;
  uint64_t cancelled = 0;
  uint64_t stale_results = 0;
  uint64_t unique_hits = 0;
  uint64_t workers_lost = 0;
  uint64_t handed_back = 0;
};

class BrokerCore {
 public:
  // REQUIRES: config outlives the core. seed feeds lease tokens and jitter.
  BrokerCore(const BrokerConfig& config, uint64_t seed);
  ~BrokerCore();
  BrokerCore(const BrokerCore&) = delete;
  BrokerCore& operator=(const BrokerCore&) = delete;

  // Rebuilds the index from the store at start. Jobs recorded as running
  // keep their lease until now + recovery_grace_ms, waiting for their
  // worker to re-announce them. REQUIRES: called once, before any event.
  void restore(RecoveredState state, TimeMs now);

  // ---- client requests ----
  // All or nothing: every spec is validated and every queue's capacity
  // checked before any job is created.
  Result<wire::SubmitReply> submit(const wire::SubmitRequest& request, TimeMs now);
  wire::IdOutcomesReply cancel(const wire::CancelRequest& request, TimeMs now);
  Status setPaused(const std::string& queue, bool paused);
  // Jobs the store moved from dead back to the active table.
  void adoptRevived(std::vector<JobRow> rows, TimeMs now);
  // How many more jobs each queue may hold now, for a revive.
  QueueRoom queueRoom() const;
  wire::StatsReply stats() const;
  wire::WorkersReply workers() const;
  // The job as the broker holds it, with its running attempt's progress.
  std::optional<wire::Job> findActive(uint64_t id) const;
  // Adds the running attempt's progress (kept in memory only) to a job
  // read from the store.
  void addLiveProgress(wire::Job& job) const;

  // ---- worker messages (routing_id identifies the connection) ----
  void onHello(const std::string& routing_id, const wire::WorkerHello& hello, TimeMs now);
  void onCredit(const std::string& routing_id, const wire::WorkerCredit& credit, TimeMs now);
  void onProgress(const std::string& routing_id, const wire::Progress& progress, TimeMs now);
  void onResult(const std::string& routing_id, const wire::JobResult& result, TimeMs now);
  void onHeartbeat(const std::string& routing_id, TimeMs now);
  // The worker's connection is gone (its process exited, or the link
  // broke): it is lost at once, as if silent for the whole liveness window.
  // Returns its worker id, or nullopt when no such worker was connected.
  std::optional<std::string> onDisconnected(const std::string& routing_id, TimeMs now);
  // Every connected worker's routing id, for probing after a disconnect.
  std::vector<std::string> workerRoutingIds() const;

  // ---- time ----
  // Starts due delayed jobs, declares silent workers dead, expires leases,
  // sends heartbeats. Call at least every heartbeat_ms / 10.
  void tick(TimeMs now);
  // The earliest time a delayed job becomes due, if any.
  std::optional<TimeMs> nextDelayedDue();

  Effects takeEffects();
  const CoreCounters& counters() const { return counters_; }
  size_t liveJobs() const { return jobs_.size(); }

 private:
  struct QueueState {
    bool paused = false;
    uint64_t ready = 0;    // runnable now (in a lane or waiting on its key)
    uint64_t delayed = 0;  // waiting for run_at
    uint64_t running = 0;
    uint64_t ready_by_priority[kMaxPriority + 1] = {};
    uint64_t live() const { return ready + delayed + running; }
  };
  struct KeyState {
    uint32_t running = 0;
    uint32_t promoted = 0;  // jobs of this key sitting in lanes
    JobHeap waiting;        // runnable jobs held back by the cap
    uint64_t waiting_count = 0;
  };
  struct Lane {
    uint32_t queue = 0;
    uint32_t kind = 0;
    uint32_t queue_limit = UINT32_MAX;  // resolved from config once
    uint32_t kind_limit = UINT32_MAX;
    JobHeap heap;
  };
  struct WorkerSession {
    uint64_t id = 0;
    std::string routing_id;
    std::string worker_id;
    std::string host;
    uint32_t pid = 0;
    std::vector<uint32_t> kinds;  // interned
    uint32_t slots = 0;
    std::unordered_set<uint64_t> jobs;
    TimeMs connected_at_ms = 0;
    TimeMs last_seen_ms = 0;
    uint32_t freeSlots() const {
      return slots > jobs.size() ? slots - static_cast<uint32_t>(jobs.size()) : 0;
    }
  };

  // Placement (core_placement.cpp).
  void makeRunnable(LiveJob& job, TimeMs now);
  void placeInLane(LiveJob& job);
  void delay(LiveJob& job);
  void unplace(LiveJob& job);
  void waitBesideKey(LiveJob& job, KeyState& key);
  // Keyed jobs of a queue being paused give up their key slots.
  void releaseKeySlotsOfPausedQueue(uint32_t queue);
  void promoteKeyWaiters(const std::string& key);
  // After a resume: keyed jobs of that queue may now take free key slots.
  void promoteAllKeyWaiters();
  void releaseKeySlotIfIdle(const std::string& key);
  Lane& laneFor(uint32_t queue, uint32_t kind);
  QueueState& queueState(uint32_t queue);
  void countReady(const LiveJob& job, int delta);

  // Dispatch (core_dispatch.cpp).
  void dispatch(TimeMs now);
  bool assignOne(WorkerSession& worker, TimeMs now);
  LiveJob* popBest(const WorkerSession& worker);
  bool laneRunnable(const Lane& lane) const;
  void startAttempt(LiveJob& job, WorkerSession& worker, TimeMs now);
  void promoteDueJobs(TimeMs now);

  // Outcomes (core_outcomes.cpp).
  void finishAttempt(LiveJob& job, wire::Outcome outcome, const std::string& error,
                     const std::string& result, TimeMs now);
  // Retries after backoff (or right away when the job was not at fault,
  // e.g. its worker died) while attempts remain; otherwise dead.
  enum class Retry { kAfterBackoff, kNow };
  void failAttempt(LiveJob& job, const std::string& error, TimeMs now,
                   Retry retry = Retry::kAfterBackoff);
  void finalize(LiveJob& job, wire::JobState state, const std::string& result,
                const std::string& error, TimeMs now);
  void requeue(LiveJob& job, TimeMs now);
  void releaseRunning(LiveJob& job);
  void recordAttempt(const LiveJob& job, wire::Outcome outcome, const std::string& error,
                     TimeMs now);
  void persistTransition(const LiveJob& job, TimeMs finished_at = 0,
                         const std::string& result = {});
  void cancelQueued(LiveJob& job, TimeMs now);
  JobRow toRow(const LiveJob& job) const;
  LiveJob& createFromRow(const JobRow& row);

  // Workers (core_workers.cpp).
  WorkerSession* sessionFor(const std::string& routing_id, TimeMs now);
  void dropSession(uint64_t session_id, const std::string& why, TimeMs now);
  void adoptHeldLeases(WorkerSession& worker, const wire::WorkerHello& hello, TimeMs now);
  void sendToWorker(const WorkerSession& worker, wire::Envelope envelope);
  void expireWorkers(TimeMs now);
  void expireLeases(TimeMs now);
  void sendHeartbeats(TimeMs now);

  wire::Job toWire(const LiveJob& job) const;
  static void addProgress(const LiveJob& job, wire::Job& out);
  LiveJob* findJob(uint64_t id);

  const BrokerConfig& config_;
  std::mt19937_64 rng_;
  NameTable names_;
  std::unordered_map<uint64_t, LiveJob> jobs_;
  std::unordered_map<std::string, uint64_t> unique_keys_;  // key -> live job id
  std::unordered_map<uint32_t, QueueState> queues_;
  std::unordered_map<std::string, KeyState> keys_;
  std::vector<Lane> lanes_;
  std::unordered_map<uint64_t, size_t> lane_index_;  // (queue << 32 | kind) -> lanes_
  std::unordered_map<uint32_t, uint32_t> running_by_kind_;
  JobHeap delayed_;  // by run_at
  JobHeap leases_;   // running jobs by lease expiry
  std::unordered_map<uint64_t, WorkerSession> sessions_;
  std::unordered_map<std::string, uint64_t> session_by_routing_;
  std::vector<uint64_t> dispatch_order_;  // sessions, rotated for fairness
  uint64_t next_session_ = 1;
  uint64_t next_job_id_ = 1;
  uint32_t next_heap_seq_ = 1;
  TimeMs last_heartbeat_sent_ = 0;
  CoreCounters counters_;
  Effects effects_;
};

}  // namespace gantry::broker
