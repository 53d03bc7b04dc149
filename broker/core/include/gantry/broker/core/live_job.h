// The broker's in-memory picture of a job that is not yet final. Memory
// matters here: a million queued jobs must fit in a few hundred megabytes,
// so rare fields live behind pointers and names are interned (NameTable).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

// Where a live job currently sits in the scheduling structures.
enum class Slot : uint8_t {
  kNone,
  kLane,     // runnable: in its (queue, kind) lane, waiting for a worker
  kKeyWait,  // runnable, but its concurrency key is at its cap (KeyCaps)
  kDelayed,  // waiting for run_at: a delay or a retry backoff (DelayQueue)
  kRunning,  // leased to a worker (LeaseTable)
};

// Fields most jobs do not have.
struct JobExtras {
  std::string unique_key;
  std::string traceparent;
  std::string last_error;
  std::string worker_id;  // of the current or last attempt
  // Hand-backs in a row (see BrokerCore's hand-back guard): how many, and
  // when the last one came.
  uint32_t handbacks_in_a_row = 0;
  TimeMs last_handback_mono_ms = 0;
  // The span id the last attempt's process span got (Assign), so the next
  // attempt links to it. Memory only: 0 after a broker restart.
  uint64_t attempt_span_id = 0;
};

// A running attempt.
struct Lease {
  uint64_t token = 0;
  // 0 means "recovered after a broker restart, waiting for its worker to
  // re-announce it".
  uint64_t worker_session = 0;
  TimeMs deadline_mono_ms = 0;  // the handler's deadline
  TimeMs expires_mono_ms = 0;   // the broker gives up on the attempt after this
  // The worker's last progress report for this attempt, if any.
  std::optional<wire::Progress> progress;
};

struct LiveJob {
  // Eight-byte fields first, then four-byte ones: no padding between them.
  uint64_t id = 0;
  // Stamped whenever the job enters a heap, so older entries of it are known
  // to be stale (heaps delete lazily; see JobIndex::enterHeap).
  uint64_t heap_seq = 0;
  // Order among runnable jobs, on the monotonic time line: smaller runs
  // first (see BrokerCore's scheduling rules).
  int64_t rank = 0;
  TimeMs run_at_ms = 0;  // wall
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  TimeMs started_at_ms = 0;
  uint32_t queue = 0;  // NameTable index
  uint32_t kind = 0;   // NameTable index
  int32_t priority = 0;
  uint32_t attempt = 0;
  uint32_t max_attempts = 0;
  uint32_t timeout_ms = 0;
  wire::JobState state = wire::QUEUED;
  Slot slot = Slot::kNone;
  bool cancel_requested = false;
  std::string payload;
  std::string concurrency_key;
  std::unique_ptr<JobExtras> extras;
  std::unique_ptr<Lease> lease;

  JobExtras& mutableExtras() {
    if (!extras) {
      extras = std::make_unique<JobExtras>();
    }
    return *extras;
  }
  const std::string& uniqueKey() const { return extras ? extras->unique_key : empty(); }
  const std::string& traceparent() const { return extras ? extras->traceparent : empty(); }
  const std::string& lastError() const { return extras ? extras->last_error : empty(); }
  const std::string& workerId() const { return extras ? extras->worker_id : empty(); }

 private:
  static const std::string& empty() {
    static const std::string kEmpty;
    return kEmpty;
  }
};

}  // namespace gantry::broker
