// The broker's in-memory picture of a job that is not yet final, and the
// small containers the scheduling core is built from. Memory matters here:
// a million queued jobs must fit in a few hundred megabytes, so rare fields
// live behind pointers and names are interned.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

// Where a live job currently sits in the scheduling structures.
enum class Slot : uint8_t {
  kNone,
  kLane,     // runnable: in its (queue, kind) lane, waiting for a worker
  kKeyWait,  // runnable, but its concurrency key is at its cap
  kDelayed,  // waiting for run_at (a delay or a retry backoff)
  kRunning,  // leased to a worker
};

// Fields most jobs do not have.
struct JobExtras {
  std::string unique_key;
  std::string traceparent;
  std::string last_error;
  std::string worker_id;  // of the current or last attempt
};

// A running attempt. worker_session 0 means "recovered after a broker
// restart, waiting for its worker to re-announce".
struct Lease {
  uint64_t token = 0;
  uint64_t worker_session = 0;
  std::string worker_id;
  TimeMs deadline_ms = 0;  // the handler's deadline
  TimeMs expires_ms = 0;   // the broker gives up on the attempt after this
  // The worker's last progress report for this attempt, if any.
  std::optional<wire::Progress> progress;
};

struct LiveJob {
  uint64_t id = 0;
  uint32_t queue = 0;  // NameTable index
  uint32_t kind = 0;   // NameTable index
  int32_t priority = 0;
  wire::JobState state = wire::QUEUED;
  Slot slot = Slot::kNone;
  bool cancel_requested = false;
  uint32_t attempt = 0;
  uint32_t max_attempts = 0;
  uint32_t timeout_ms = 0;
  // Bumped whenever the job enters a heap, so older heap entries are known
  // to be stale (heaps delete lazily).
  uint32_t heap_seq = 0;
  // Order among runnable jobs: smaller runs first (see ReadyOrder).
  int64_t rank = 0;
  TimeMs run_at_ms = 0;
  TimeMs created_at_ms = 0;
  TimeMs updated_at_ms = 0;
  TimeMs started_at_ms = 0;
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

// Interns queue and kind names to small integers.
class NameTable {
 public:
  uint32_t intern(const std::string& name) {
    auto [it, inserted] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (inserted) {
      names_.push_back(name);
    }
    return it->second;
  }
  // The id of a name already interned, without interning it.
  std::optional<uint32_t> find(const std::string& name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  const std::string& name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
};

// A min-heap of (order, job id) with lazy deletion: entries remember the
// job's heap_seq at push time and are discarded when they no longer match.
struct HeapEntry {
  int64_t order = 0;
  uint64_t id = 0;
  uint32_t seq = 0;
};

class JobHeap {
 public:
  void push(HeapEntry entry) {
    entries_.push_back(entry);
    std::push_heap(entries_.begin(), entries_.end(), later);
  }
  bool empty() const { return entries_.empty(); }
  // REQUIRES: !empty()
  const HeapEntry& top() const { return entries_.front(); }
  void pop() {
    std::pop_heap(entries_.begin(), entries_.end(), later);
    entries_.pop_back();
  }
  size_t rawSize() const { return entries_.size(); }

 private:
  static bool later(const HeapEntry& a, const HeapEntry& b) {
    return a.order != b.order ? a.order > b.order : a.id > b.id;
  }
  std::vector<HeapEntry> entries_;
};

}  // namespace gantry::broker
