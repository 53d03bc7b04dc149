// The group-commit thread. It owns the write connection and turns whatever
// write batches have queued up since its last commit into one transaction,
// so durability costs one fsync per batch, not per job. It also runs the
// work that must be ordered with writes: reviving dead jobs, and periodic
// retention. Results go back to the broker loop through a Mailbox.
//
// It writes only while its connection owns the database. After the
// connection breaks it resumes ownership on the new one; if another broker
// owned the database meanwhile, it stops writing for good and reports
// OwnershipLost, because the broker's state is no longer the truth.
//
// Thread-safety: submit*() and backlog() may be called from any thread;
// everything else happens on the committer's own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "gantry/broker/core/write_batch.h"
#include "gantry/broker/store/pg_store.h"
#include "gantry/common/clock.h"
#include "gantry/common/mailbox.h"

namespace gantry::broker {

// A client waiting for a reply the committer's work decides.
struct ReplyTo {
  std::string routing_id;
  uint64_t correlation_id = 0;
};

// Committer -> loop.
struct Committed {
  uint64_t ticket = 0;   // every batch with a ticket <= this is durable
  size_t writes = 0;     // rows that commit wrote (for metrics)
  TimeMs commit_ms = 0;  // how long it took, fsync included
};
struct Revived {
  ReplyTo reply_to;
  std::vector<ReviveResult> results;
  Status status;  // not ok when the database refused the whole request
};
struct OwnershipLost {
  std::string reason;  // who owns the database now
};
using CommitterEvent = std::variant<Committed, Revived, OwnershipLost>;

class Committer {
 public:
  // REQUIRES: store is connected, owns the database at `owner_epoch` and
  // has recovered; clock outlives this.
  Committer(std::unique_ptr<PgStore> store, uint64_t owner_epoch, std::string conninfo,
            int64_t retention_ms, Clock& clock);
  ~Committer();  // stop()s

  void start();
  // Commits what is queued (a few retries at most), then joins the thread.
  // Events stay readable afterwards. Idempotent.
  void stop();
  // Queues a batch; `ticket` increases with every call.
  void submitBatch(WriteBatch batch, uint64_t ticket);
  // Revives dead jobs as far as `room` allows.
  void submitRevive(std::vector<uint64_t> ids, QueueRoom room, ReplyTo reply_to);
  // Writes queued but not yet durable.
  uint64_t backlog() const { return backlog_.load(std::memory_order_relaxed); }
  // Whether the write connection is up now, and how many times it was
  // re-established (for health and metrics).
  bool connected() const { return connected_.load(std::memory_order_relaxed); }
  uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }

  Mailbox<CommitterEvent>& events() { return events_; }

 private:
  struct BatchWork {
    WriteBatch batch;
    uint64_t ticket = 0;
  };
  struct ReviveWork {
    std::vector<uint64_t> ids;
    QueueRoom room;
    ReplyTo reply_to;
  };
  using Work = std::variant<BatchWork, ReviveWork>;

  void run();
  void commitWithRetry(WriteBatch& batch, uint64_t ticket);
  void ensureConnected();
  void noteConnection();
  void maintainIfDue();
  void waitForWork();
  void pause(int64_t ms);

  std::unique_ptr<PgStore> store_;
  const uint64_t owner_epoch_;
  // The server process of the last connection, which may outlive it.
  int previous_backend_pid_ = 0;
  // Set once another broker owned the database: nothing is written after.
  bool ownership_lost_ = false;
  // While disconnected and idle, how long until the next attempt.
  static constexpr int64_t kFirstReconnectDelayMs = 100;
  int64_t reconnect_delay_ms_ = kFirstReconnectDelayMs;
  const std::string conninfo_;
  const int64_t retention_ms_;
  Clock& clock_;
  Mailbox<Work> work_;
  Mailbox<CommitterEvent> events_;
  EventFd stop_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> backlog_{0};
  std::atomic<bool> connected_{true};
  std::atomic<uint64_t> reconnects_{0};
  TimeMs next_maintenance_mono_ms_ = 0;  // 0: at once
  std::thread thread_;
};

}  // namespace gantry::broker
