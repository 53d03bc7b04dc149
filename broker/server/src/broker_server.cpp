#include "gantry/broker/server/broker_server.h"

#include <poll.h>
#include <unistd.h>

#include <random>

#include "gantry/common/codec.h"
#include "gantry/common/log.h"
#include "gantry/net/poll_set.h"

namespace gantry::broker {
namespace {

// Messages handled per socket per loop round: enough to batch writes well,
// few enough that one busy socket cannot starve the other.
constexpr int kMaxMessagesPerRound = 2000;

// How long after a connection closes its peers are probed. libzmq reports
// the close before the ROUTER has dropped that peer, so an immediate probe
// could still find it; a few milliseconds settle it.
constexpr int64_t kProbeDelayMs = 10;

// A standby broker tries to take ownership this often; a new owner bumps
// the epoch at once, so the wait is what a takeover costs.
constexpr int kOwnershipPollMs = 500;
// ...and says that it is waiting this often.
constexpr int64_t kStandbyReportIntervalMs = 30000;

// Long enough for the last replies to leave before the sockets close.
constexpr int kFinalRepliesLingerMs = 1000;

// Who took ownership, for the operator who finds another broker waiting.
std::string holderName(const std::string& client_endpoint) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + " (clients at " + client_endpoint +
         ")";
}

// Waits up to `ms` for the stop eventfd; true when a stop was requested.
bool stopWithin(int stop_fd, int64_t ms) {
  pollfd stop = {stop_fd, POLLIN, 0};
  return ::poll(&stop, 1, static_cast<int>(ms)) > 0;
}

// Gives up early when `stop_fd` becomes readable.
Result<std::unique_ptr<PgStore>> connectWithin(const std::string& conninfo, int64_t wait_ms,
                                               int stop_fd) {
  const int64_t deadline = monotonicMs() + wait_ms;
  int64_t delay_ms = 100;
  while (true) {
    auto store = PgStore::connect(conninfo);
    if (store.isOk() || monotonicMs() + delay_ms > deadline) {
      return store;
    }
    log::warn("database not reachable yet; retrying", {{"error", store.status().message()}});
    if (stopWithin(stop_fd, delay_ms)) {
      return store;
    }
    delay_ms = std::min<int64_t>(delay_ms * 2, 2000);
  }
}

}  // namespace

BrokerServer::BrokerServer(const BrokerConfig& config, Clock& clock)
    : config_(config),
      clock_(clock),
      context_(1),
      workers_(context_, zmq::socket_type::router),
      clients_(context_, zmq::socket_type::router) {}

BrokerServer::~BrokerServer() = default;

Status BrokerServer::start(int64_t db_wait_ms) {
  auto store = connectWithin(config_.database_url, db_wait_ms, stop_.fd());
  if (!store.isOk()) {
    return store.status();
  }
  if (Status s = (*store)->checkSchema(); !s.isOk()) {
    return s;
  }
  // Before recovering: only the owner's view of the database is the truth.
  auto epoch = takeOwnership(store.value());
  if (!epoch.isOk()) {
    return epoch.status();
  }
  auto recovered = (*store)->recover();
  if (!recovered.isOk()) {
    return recovered.status();
  }
  const size_t active = recovered->active.size();
  core_ = std::make_unique<BrokerCore>(config_, std::random_device{}());
  core_->restore(std::move(recovered.value()), clock_.nowMs());
  log::info("recovered state from the database", {{"active_jobs", active}});

  committer_ = std::make_unique<Committer>(std::move(store.value()), epoch.value(),
                                           config_.database_url, config_.retention_ms, clock_);
  reader_ = std::make_unique<Reader>(config_.database_url);

  try {
    applyCommonOptions(workers_);
    applyCommonOptions(clients_);
    // Sends to a worker that is gone fail instead of vanishing, which is
    // how watchWorkerConnections() tells who left.
    workers_.set(zmq::sockopt::router_mandatory, true);
    worker_endpoint_ = bindResolved(workers_, config_.worker_endpoint);
    client_endpoint_ = bindResolved(clients_, config_.client_endpoint);
    worker_disconnects_ =
        std::make_unique<DisconnectMonitor>(context_, workers_, "gantry-worker-disconnects");
  } catch (const zmq::error_t& e) {
    return invalidArgument(std::string("cannot bind broker sockets (") + config_.worker_endpoint +
                           ", " + config_.client_endpoint + "): " + e.what());
  }
  committer_->start();
  reader_->start();
  log::info("broker listening", {{"workers", worker_endpoint_}, {"clients", client_endpoint_}});
  return Status::ok();
}

Result<uint64_t> BrokerServer::takeOwnership(std::unique_ptr<PgStore>& store) {
  const std::string holder = holderName(config_.client_endpoint);
  TimeMs next_report_ms = 0;
  Status connection = Status::ok();  // of the last attempt to reach the database
  while (true) {
    // A standby may wait for days; it outlives database restarts.
    if (store == nullptr || store->broken()) {
      auto reconnected = PgStore::connect(config_.database_url);
      connection = reconnected.status();
      store = reconnected.isOk() ? std::move(reconnected.value()) : nullptr;
    }
    if (store != nullptr) {
      auto taken = store->tryTakeOwnership(holder, clock_.nowMs());
      if (taken.isOk() && taken->has_value()) {
        log::info("took ownership of the database", {{"epoch", **taken}});
        owner_ = BrokerOwner{**taken, holder, clock_.nowMs()};
        return **taken;
      }
      if (!taken.isOk() && !store->broken()) {
        return taken.status();
      }
      connection = taken.status();
    }
    if (clock_.nowMs() >= next_report_ms) {
      next_report_ms = clock_.nowMs() + kStandbyReportIntervalMs;
      auto owner = connection.isOk() ? store->owner() : Result<BrokerOwner>(connection);
      if (owner.isOk()) {
        log::warn("another broker owns the database; waiting as a standby until it stops",
                  {{"owner", owner->holder}, {"owner_since_ms", owner->acquired_at_ms}});
      } else {
        log::warn("cannot reach the database to take ownership; retrying",
                  {{"error", owner.status().message()}});
      }
    }
    if (stopWithin(stop_.fd(), kOwnershipPollMs)) {
      return unavailable("stopped while waiting for another broker to release the database");
    }
  }
}

int BrokerServer::pollTimeoutMs() {
  // Liveness and lease checks need a few ticks per heartbeat interval; a
  // due delayed job should start on time.
  int64_t timeout = std::max<uint32_t>(config_.heartbeat_ms / 10, 1);
  for (const std::optional<TimeMs>& due : {core_->nextDelayedDue(), probe_workers_at_}) {
    if (due) {
      timeout = std::min<int64_t>(timeout, std::max<int64_t>(0, *due - clock_.nowMs()));
    }
  }
  return static_cast<int>(timeout);
}

Status BrokerServer::run() {
  PollSet poll_set;
  const size_t workers = poll_set.addSocket(workers_);
  const size_t clients = poll_set.addSocket(clients_);
  const size_t committed = poll_set.addFd(committer_->events().fd());
  const size_t read_replies = poll_set.addFd(reader_->replies().fd());
  const size_t stop = poll_set.addFd(stop_.fd());
  while (true) {
    if (std::string error; !poll_set.wait(pollTimeoutMs(), &error)) {
      log::error("poll failed", {{"error", error}});
      break;
    }
    if (poll_set.ready(stop)) {
      break;
    }
    // A source is only read when poll says so: reading an empty socket or
    // mailbox still costs system calls, and rounds are frequent.
    if (poll_set.ready(committed)) {
      drainCommitter();
      if (ownership_lost_) {
        break;
      }
    }
    if (poll_set.ready(read_replies)) {
      drainReader();
    }
    const bool workers_woke_without_message = poll_set.ready(workers) && serveWorkers() == 0;
    if (poll_set.ready(clients)) {
      serveClients();
    }
    watchWorkerConnections(workers_woke_without_message);
    core_->tick(clock_.nowMs());
    flushEffects();
  }
  // A broker that lost the database sends workers nothing more: the new
  // owner decides who runs what.
  if (!ownership_lost_) {
    flushEffects();
    log::info("broker stopping; flushing writes", {{"backlog", committer_->backlog()}});
  }
  worker_disconnects_.reset();
  clients_.set(zmq::sockopt::linger, kFinalRepliesLingerMs);
  committer_->stop();  // commits what was queued (unless ownership was lost), then joins
  drainCommitter();    // acknowledge what became durable
  committer_.reset();
  reader_.reset();
  if (ownership_lost_) {
    failUnacknowledged(
        "another broker took over the database before this request's writes "
        "were confirmed durable; they may or may not have been applied");
    return failedPrecondition(*ownership_lost_);
  }
  failUnacknowledged(
      "the broker stopped before this request's writes were confirmed durable "
      "(the database was unreachable); they may or may not have been applied");
  return Status::ok();
}

void BrokerServer::failUnacknowledged(const std::string& why) {
  for (const PendingReply& reply : waiting_for_durability_) {
    replyError(reply.routing_id, reply.envelope.correlation_id(), unavailable(why));
  }
  waiting_for_durability_.clear();
}

void BrokerServer::watchWorkerConnections(bool socket_woke_without_message) {
  const TimeMs now = clock_.nowMs();
  // The monitor is read on a timer rather than polled: every socket in the
  // poll set costs system calls on every round, and rounds are frequent. A
  // worker socket that woke the loop without a message most likely saw a
  // connection open or close, so the monitor is read then too, and a closed
  // connection is acted on at once rather than at the next tick.
  const bool due = now >= next_disconnect_check_ms_;
  if (due) {
    next_disconnect_check_ms_ = now + std::max<uint32_t>(config_.heartbeat_ms / 10, 1);
  }
  if (due || socket_woke_without_message) {
    if (worker_disconnects_->takeDisconnects() && !probe_workers_at_) {
      probe_workers_at_ = now + kProbeDelayMs;
    }
  }
  if (!probe_workers_at_ || *probe_workers_at_ > now) {
    return;
  }
  probe_workers_at_.reset();
  wire::Envelope heartbeat;
  heartbeat.mutable_heartbeat();
  const std::string probe = encodeEnvelope(heartbeat);
  for (const std::string& routing_id : core_->workerRoutingIds()) {
    if (probeRoutedPeer(workers_, routing_id, probe)) {
      continue;
    }
    if (auto worker_id = core_->onDisconnected(routing_id, now)) {
      log::warn("worker connection closed; its jobs go back to the queue",
                {{"worker_id", *worker_id}});
    }
  }
}

int BrokerServer::serveWorkers() {
  int received = 0;
  for (; received < kMaxMessagesPerRound; ++received) {
    auto message = receiveRouted(workers_);
    if (!message) {
      break;
    }
    handleWorkerMessage(*message);
  }
  return received;
}

void BrokerServer::serveClients() {
  for (int i = 0; i < kMaxMessagesPerRound; ++i) {
    auto message = receiveRouted(clients_);
    if (!message) {
      return;
    }
    handleClientMessage(*message);
  }
}

void BrokerServer::flushEffects() {
  Effects effects = core_->takeEffects();
  for (auto& message : effects.to_workers) {
    // A send fails only when the worker is gone; liveness notices that.
    (void)sendRouted(workers_, message.routing_id, message.envelope);
  }
  if (!effects.writes.empty()) {
    committer_->submitBatch(std::move(effects.writes), ++ticket_);
  }
  for (PendingReply& reply : replies_this_round_) {
    if (ticket_ > durable_ticket_) {
      reply.ticket = ticket_;
      waiting_for_durability_.push_back(std::move(reply));
    } else {
      sendRouted(clients_, reply.routing_id, reply.envelope);
    }
  }
  replies_this_round_.clear();
}

void BrokerServer::drainCommitter() {
  for (CommitterEvent& event : committer_->events().drain()) {
    if (auto* committed = std::get_if<Committed>(&event)) {
      durable_ticket_ = std::max(durable_ticket_, committed->ticket);
      continue;
    }
    if (auto* lost = std::get_if<OwnershipLost>(&event)) {
      log::error("another broker took over the database; this one stops without writing more",
                 {{"reason", lost->reason}});
      ownership_lost_ = lost->reason;
      continue;
    }
    auto& revived = std::get<Revived>(event);
    wire::Envelope reply;
    reply.set_correlation_id(revived.reply_to.correlation_id);
    if (!revived.status.isOk()) {
      replyError(revived.reply_to.routing_id, revived.reply_to.correlation_id, revived.status);
      continue;
    }
    std::vector<JobRow> rows;
    for (ReviveResult& result : revived.results) {
      auto* outcome = reply.mutable_id_outcomes()->add_outcomes();
      outcome->set_id(result.id);
      outcome->set_ok(result.status.isOk());
      if (!result.status.isOk()) {
        outcome->set_code(toWireError(result.status.code()));
      }
      outcome->set_message(result.status.isOk() ? "queued again" : result.status.message());
      if (result.row) {
        rows.push_back(std::move(*result.row));
      }
    }
    core_->adoptRevived(std::move(rows), clock_.nowMs());
    replyNow(revived.reply_to.routing_id, std::move(reply));
  }
  while (!waiting_for_durability_.empty() &&
         waiting_for_durability_.front().ticket <= durable_ticket_) {
    PendingReply& reply = waiting_for_durability_.front();
    sendRouted(clients_, reply.routing_id, reply.envelope);
    waiting_for_durability_.pop_front();
  }
}

void BrokerServer::drainReader() {
  for (ReadReply& reply : reader_->replies().drain()) {
    if (reply.reply.has_get_reply() && reply.reply.get_reply().has_job()) {
      core_->addLiveProgress(*reply.reply.mutable_get_reply()->mutable_job());
    }
    sendRouted(clients_, reply.routing_id, reply.reply);
  }
}

void BrokerServer::replyNow(const std::string& to, wire::Envelope envelope) {
  sendRouted(clients_, to, envelope);
}

void BrokerServer::replyWhenDurable(const std::string& to, wire::Envelope envelope) {
  replies_this_round_.push_back({0, to, std::move(envelope)});
}

void BrokerServer::replyError(const std::string& to, uint64_t correlation_id,
                              const Status& status) {
  wire::Envelope env =
      makeErrorEnvelope(toWireError(status.code()), status.message(), correlation_id);
  sendRouted(clients_, to, env);
}

}  // namespace gantry::broker
