#include "gantry/broker/store/committer.h"

#include <poll.h>

#include <algorithm>

#include "gantry/common/log.h"

namespace gantry::broker {
namespace {

constexpr int64_t kMaintenanceIntervalMs = int64_t{3600} * 1000;
constexpr int64_t kRetryCapMs = 2000;

}  // namespace

Committer::Committer(std::unique_ptr<PgStore> store, uint64_t owner_epoch, std::string conninfo,
                     int64_t retention_ms, Clock& clock)
    : store_(std::move(store)),
      owner_epoch_(owner_epoch),
      conninfo_(std::move(conninfo)),
      retention_ms_(retention_ms),
      clock_(clock) {}

Committer::~Committer() { stop(); }

void Committer::stop() {
  stopping_ = true;
  stop_.signal();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Committer::start() {
  thread_ = std::thread([this] { run(); });
}

void Committer::submitBatch(WriteBatch batch, uint64_t ticket) {
  backlog_.fetch_add(batch.size(), std::memory_order_relaxed);
  work_.push(BatchWork{std::move(batch), ticket});
}

void Committer::submitRevive(std::vector<uint64_t> ids, QueueRoom room, ReplyTo reply_to) {
  work_.push(ReviveWork{std::move(ids), std::move(room), std::move(reply_to)});
}

void Committer::waitForWork() {
  // The connection is watched while idle, so that a session the server
  // ended (a restart, a failover) is replaced at once: the new session takes
  // the ownership lock back before a standby broker can take it. Poll skips
  // the entry with fd -1.
  pollfd fds[3] = {{work_.fd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}, {-1, POLLIN, 0}};
  int64_t timeout_ms =
      std::min<int64_t>(std::max<int64_t>(0, next_maintenance_mono_ms_ - clock_.monoMs()), 1000);
  if (store_ != nullptr && !store_->broken()) {
    fds[2].fd = store_->socket();
  } else if (!ownership_lost_) {
    timeout_ms = std::min(timeout_ms, reconnect_delay_ms_);
  }
  ::poll(fds, 3, static_cast<int>(timeout_ms));
  if (fds[2].revents != 0) {
    store_->checkConnection();
  }
  noteConnection();
}

void Committer::noteConnection() {
  connected_.store(store_ != nullptr && !store_->broken(), std::memory_order_relaxed);
}

void Committer::pause(int64_t ms) {
  pollfd fd = {stop_.fd(), POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(ms));
}

void Committer::run() {
  // On stop, what was queued before is still committed (bounded retries).
  for (bool last_round = false; !last_round;) {
    last_round = stopping_;
    // Everything queued so far becomes one transaction, except that a
    // revive must see the writes before it and be seen by those after.
    // Under load the next batches are queued before a commit ends, so only
    // an empty queue costs a wait.
    std::deque<Work> items = work_.drain();
    if (items.empty() && !last_round) {
      waitForWork();
      last_round = stopping_;
      items = work_.drain();
      ensureConnected();
    }
    maintainIfDue();
    WriteBatch merged;
    uint64_t ticket = 0;
    for (Work& item : items) {
      if (auto* batch = std::get_if<BatchWork>(&item)) {
        merged.absorb(std::move(batch->batch));
        ticket = batch->ticket;
        continue;
      }
      if (ticket != 0) {
        commitWithRetry(merged, ticket);
        ticket = 0;
      }
      auto& revive = std::get<ReviveWork>(item);
      ensureConnected();
      auto results = store_ != nullptr
                         ? store_->revive(revive.ids, clock_.wallMs(), std::move(revive.room))
                         : Result<std::vector<ReviveResult>>(unavailable(
                               ownership_lost_ ? "this broker no longer owns the database"
                                               : "database unreachable"));
      Revived event{std::move(revive.reply_to), {}, results.status()};
      if (results.isOk()) {
        event.results = std::move(results.value());
      }
      events_.push(std::move(event));
    }
    if (ticket != 0) {
      commitWithRetry(merged, ticket);
    }
  }
}

void Committer::commitWithRetry(WriteBatch& batch, uint64_t ticket) {
  constexpr int kAttemptsWhileStopping = 5;
  int64_t delay_ms = 50;
  for (int attempt = 1; !stopping_ || attempt <= kAttemptsWhileStopping; ++attempt) {
    ensureConnected();
    if (ownership_lost_) {
      return;  // never acknowledged; the broker stops
    }
    const TimeMs started_mono = clock_.monoMs();
    Status status = store_ != nullptr ? store_->commit(batch) : unavailable("not connected");
    noteConnection();
    if (status.isOk()) {
      backlog_.fetch_sub(std::min<uint64_t>(backlog_.load(), batch.size()),
                         std::memory_order_relaxed);
      events_.push(Committed{ticket, batch.size(), clock_.monoMs() - started_mono});
      batch = WriteBatch{};
      return;
    }
    log::error("commit failed; retrying",
               {{"error", status.toString()}, {"writes", batch.size()}, {"retry_in_ms", delay_ms}});
    pause(delay_ms);
    delay_ms = std::min(delay_ms * 2, kRetryCapMs);
  }
}

void Committer::ensureConnected() {
  if (ownership_lost_ || (store_ != nullptr && !store_->broken())) {
    return;
  }
  if (store_ != nullptr) {
    previous_backend_pid_ = store_->backendPid();
    store_.reset();
  }
  connected_.store(false, std::memory_order_relaxed);
  auto connected = PgStore::connect(conninfo_);
  if (!connected.isOk()) {
    log::error("database unreachable", {{"error", connected.status().toString()}});
    reconnect_delay_ms_ = std::min(reconnect_delay_ms_ * 2, kRetryCapMs);
    return;
  }
  reconnect_delay_ms_ = kFirstReconnectDelayMs;
  const Status resumed = connected.value()->resumeOwnership(owner_epoch_, previous_backend_pid_);
  if (resumed.isOk()) {
    store_ = std::move(connected.value());
    connected_.store(true, std::memory_order_relaxed);
    reconnects_.fetch_add(1, std::memory_order_relaxed);
    log::info("database connection re-established");
  } else if (resumed.code() == StatusCode::kFailedPrecondition) {
    ownership_lost_ = true;
    events_.push(OwnershipLost{resumed.message()});
  } else {
    log::error("database ownership not resumed yet", {{"error", resumed.toString()}});
  }
}

void Committer::maintainIfDue() {
  const Now now = clock_.now();
  if (now.mono_ms < next_maintenance_mono_ms_) {
    return;
  }
  next_maintenance_mono_ms_ = now.mono_ms + kMaintenanceIntervalMs;
  ensureConnected();
  if (store_ == nullptr) {
    return;
  }
  if (Status s = store_->maintain(now.wall_ms, retention_ms_); !s.isOk()) {
    log::warn("retention maintenance failed", {{"error", s.toString()}});
  }
}

}  // namespace gantry::broker
