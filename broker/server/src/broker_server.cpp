#include "gantry/broker/server/broker_server.h"

#include <random>

#include "gantry/broker/server/startup.h"
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

// Long enough for the last replies to leave before the sockets close.
constexpr int kFinalRepliesLingerMs = 1000;

}  // namespace

BrokerServer::BrokerServer(const BrokerConfig& config, Clock& clock, BrokerObservers observers)
    : config_(config),
      clock_(clock),
      metrics_(observers.metrics),
      health_(observers.health),
      tracing_(observers.tracing),
      context_(1),
      workers_(context_, zmq::socket_type::router),
      clients_(context_, zmq::socket_type::router) {}

BrokerServer::~BrokerServer() = default;

Status BrokerServer::start(int64_t db_wait_ms) {
  auto owned = becomeOwner(config_, clock_, stop_.fd(), db_wait_ms, health_);
  if (!owned.isOk()) {
    return owned.status();
  }
  owner_ = owned->owner;
  const std::string epoch = "epoch " + std::to_string(owner_.epoch);
  health_.setPhase(BrokerHealth::Phase::kRecovering, "owner, recovering state, " + epoch);
  core_ = std::make_unique<BrokerCore>(config_, std::random_device{}());
  metrics_.attach(*core_);
  core_->setObserver(metrics_);
  const Now now = clock_.now();
  auto recovered =
      owned->store->recover([&](const RecoveredState& state) { core_->beginRestore(state, now); },
                            [&](JobRow& row) { core_->restoreJob(row, now); });
  if (!recovered.isOk()) {
    return recovered.status();
  }
  log::info("recovered state from the database", {{"active_jobs", *recovered}});

  committer_ = std::make_unique<Committer>(std::move(owned->store), owner_.epoch,
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
    return invalidArgument(std::string("cannot bind broker sockets (--worker-endpoint ") +
                           config_.worker_endpoint + ", --client-endpoint " +
                           config_.client_endpoint + "): " + e.what());
  }
  committer_->start();
  reader_->start();
  health_.setPhase(BrokerHealth::Phase::kServing, "owner, " + epoch);
  log::info("broker listening", {{"workers", worker_endpoint_}, {"clients", client_endpoint_}});
  return Status::ok();
}

int BrokerServer::pollTimeoutMs() {
  // Liveness and lease checks need a few ticks per heartbeat interval; a
  // due delayed job should start on time.
  int64_t timeout = std::max<uint32_t>(config_.heartbeat_ms / 10, 1);
  const TimeMs now = clock_.monoMs();
  for (const std::optional<TimeMs>& due :
       {core_->nextDelayedDue(), probe_workers_at_mono_ms_, core_->nextResourceDue(clock_.now())}) {
    if (due) {
      timeout = std::min<int64_t>(timeout, std::max<int64_t>(0, *due - now));
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
    core_->tick(clock_.now());
    flushEffects();
    observeTurn();
  }
  stopping_ = true;
  health_.setPhase(BrokerHealth::Phase::kStopping,
                   ownership_lost_ ? "another broker took over" : "stopping");
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
  for (const ParkedReply& reply : durability_.takeAll()) {
    replyError(reply.routing_id, reply.envelope.correlation_id(), unavailable(why));
  }
}

void BrokerServer::watchWorkerConnections(bool socket_woke_without_message) {
  const Now now = clock_.now();
  // The monitor is read on a timer rather than polled: every socket in the
  // poll set costs system calls on every round, and rounds are frequent. A
  // worker socket that woke the loop without a message most likely saw a
  // connection open or close, so the monitor is read then too, and a closed
  // connection is acted on at once rather than at the next tick.
  const bool due = now.mono_ms >= next_disconnect_check_mono_ms_;
  if (due) {
    next_disconnect_check_mono_ms_ = now.mono_ms + std::max<uint32_t>(config_.heartbeat_ms / 10, 1);
  }
  if (due || socket_woke_without_message) {
    if (worker_disconnects_->takeDisconnects() && !probe_workers_at_mono_ms_) {
      probe_workers_at_mono_ms_ = now.mono_ms + kProbeDelayMs;
    }
  }
  if (!probe_workers_at_mono_ms_ || *probe_workers_at_mono_ms_ > now.mono_ms) {
    return;
  }
  probe_workers_at_mono_ms_.reset();
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
    if (message.envelope.has_assign()) {
      tracing_.dispatched(message.envelope.assign(), clock_.now());
    }
    // A send fails only when the worker is gone; liveness notices that.
    (void)sendRouted(workers_, message.routing_id, message.envelope);
  }
  if (!effects.writes.empty()) {
    committer_->submitBatch(std::move(effects.writes), durability_.issue());
  }
  // After this round's writes have their ticket: each reply waits for them.
  for (ParkedReply& reply : replies_this_round_) {
    if (auto now = durability_.admit(std::move(reply))) {
      release(std::move(*now));
    }
  }
  replies_this_round_.clear();
}

void BrokerServer::drainCommitter() {
  for (CommitterEvent& event : committer_->events().drain()) {
    if (auto* committed = std::get_if<Committed>(&event)) {
      metrics_.committed(committed->writes, committed->commit_ms);
      for (ParkedReply& reply : durability_.durable(committed->ticket)) {
        release(std::move(reply));
      }
      continue;
    }
    if (auto* lost = std::get_if<OwnershipLost>(&event)) {
      log::error("another broker took over the database; this one stops without writing more",
                 {{"reason", lost->reason}});
      ownership_lost_ = lost->reason;
      continue;
    }
    auto& revived = std::get<Revived>(event);
    if (!revived.status.isOk()) {
      replyError(revived.reply_to.routing_id, revived.reply_to.correlation_id, revived.status);
      continue;
    }
    wire::Envelope reply;
    reply.set_correlation_id(revived.reply_to.correlation_id);
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
    core_->adoptRevived(std::move(rows), clock_.now());
    replyNow(revived.reply_to.routing_id, std::move(reply));
  }
}

void BrokerServer::drainReader() {
  for (ReadReply& reply : reader_->replies().drain()) {
    if (reply.reply.has_get_reply() && reply.reply.get_reply().has_job()) {
      core_->addLiveProgress(*reply.reply.mutable_get_reply()->mutable_job());
    }
    replyNow(reply.routing_id, std::move(reply.reply));
  }
}

void BrokerServer::release(ParkedReply reply) {
  // While stopping, the reader may not answer before it is gone: ids not
  // found stay "not found".
  if (reply.resolve_not_found && !stopping_) {
    reader_->submit({std::move(reply.routing_id), std::move(reply.envelope)});
    return;
  }
  replyNow(reply.routing_id, std::move(reply.envelope));
}

void BrokerServer::replyNow(const std::string& to, wire::Envelope envelope) {
  sendRouted(clients_, to, envelope);
}

void BrokerServer::replyWhenDurable(ParkedReply reply) {
  replies_this_round_.push_back(std::move(reply));
}

void BrokerServer::replyError(const std::string& to, uint64_t correlation_id,
                              const Status& status) {
  replyNow(to, makeErrorEnvelope(toWireError(status.code()), status.message(), correlation_id));
}

}  // namespace gantry::broker
