// The key cap: at most keyLimitFor(key) jobs of one concurrency key (such as
// "user:42") run at once, and a key at its cap never blocks other keys.
//
// It is the entry stage of admission (admission.h). A runnable keyed job
// either takes a reservation and enters its lane, or waits beside its key,
// off the lanes. Reservations count: for each key,
//     running + reserved <= limit
// where `reserved` is its jobs sitting in lanes. A job reserves when it
// enters its lane, turns its reservation into a running slot when it starts,
// and gives it back if it leaves the lane without starting (cancelled, or its
// queue paused). When a running job of the key stops or a reservation is
// given back, waiting jobs are released in rank order into the room made.
// A job of a paused queue never holds a reservation: it cannot start, and
// would keep a job of another queue from using the key.
//
// All of the arithmetic above lives in this class. Keys come and go (one per
// user); a key with nothing running, reserved or waiting is forgotten.
// Not thread-safe: part of the core.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/broker/core/job_heap.h"
#include "gantry/broker/core/job_index.h"
#include "gantry/broker/core/queue_table.h"

namespace gantry::broker {

class KeyCaps {
 public:
  // REQUIRES: all three outlive this.
  KeyCaps(const BrokerConfig& config, JobIndex& jobs, const QueueTable& queues)
      : config_(config), jobs_(jobs), queues_(queues) {}

  // A runnable job with a key arrives. True: it holds a reservation and
  // must enter its lane. False: it now waits beside its key (Slot::kKeyWait).
  bool reserveOrWait(LiveJob& job);
  // A job that held a reservation leaves its lane without starting.
  void giveBack(const LiveJob& job) { --keys_[job.concurrency_key].reserved; }
  // A waiting job leaves (cancelled).
  void leaveWaiting(const LiveJob& job) { --keys_[job.concurrency_key].waiting; }
  // A job starts: its reservation becomes a running slot.
  void started(const LiveJob& job);
  // A running job recovered after a restart takes its running slot.
  void restoredRunning(const LiveJob& job) { ++keys_[job.concurrency_key].running; }
  // A running job stopped.
  void stopped(const LiveJob& job) { --keys_[job.concurrency_key].running; }

  // Waiting jobs of `key` that now fit, in rank order, each with its
  // reservation taken: the caller places them in their lanes. Forgets the
  // key when it holds nothing any more.
  std::vector<LiveJob*> release(const std::string& key);
  // Keyed jobs in the lanes of a queue being paused give back their
  // reservations and wait beside their keys; the room they free goes to
  // waiting jobs of other queues, returned as by release().
  std::vector<LiveJob*> holdPaused(const std::vector<LiveJob*>& in_lanes);
  // release() for every key with waiting jobs (after a resume).
  std::vector<LiveJob*> releaseAll();

 private:
  struct KeyState {
    uint32_t running = 0;
    uint32_t reserved = 0;  // its jobs in lanes
    uint64_t waiting = 0;   // its jobs beside it
    JobHeap waiting_room;   // by rank; entries go stale when a job leaves
  };

  void wait(LiveJob& job, KeyState& key);

  const BrokerConfig& config_;
  JobIndex& jobs_;
  const QueueTable& queues_;
  std::unordered_map<std::string, KeyState> keys_;
};

}  // namespace gantry::broker
