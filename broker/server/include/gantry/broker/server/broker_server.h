// The broker process's shell around BrokerCore: two ROUTER sockets (workers,
// clients) served by one poll loop on one thread, the committer and reader
// threads for Postgres, and the DurabilityGate that holds every reply
// acknowledging a change until that change is durable. Bytes from peers are
// decoded here (one small handler per message type: client_handlers.cpp,
// worker_handlers.cpp). How a broker comes to own its database is in
// startup.h.
//
// Thread-safety: requestStop() may be called from any thread or a signal
// handler; everything else belongs to the thread that calls run().
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "gantry/broker/core/broker_core.h"
#include "gantry/broker/core/config.h"
#include "gantry/broker/server/broker_health.h"
#include "gantry/broker/server/broker_metrics.h"
#include "gantry/broker/server/broker_tracing.h"
#include "gantry/broker/server/durability_gate.h"
#include "gantry/broker/store/committer.h"
#include "gantry/broker/store/reader.h"
#include "gantry/common/clock.h"
#include "gantry/common/mailbox.h"
#include "gantry/net/disconnect_monitor.h"
#include "gantry/net/transport.h"

namespace gantry::broker {

// What the server reports to: metrics, health probes, traces. Not owned.
struct BrokerObservers {
  BrokerMetrics& metrics;
  BrokerHealth& health;
  BrokerTracing& tracing;
};

// Counters of what peers sent that was refused.
struct ServerCounters {
  uint64_t malformed = 0;
  uint64_t unsupported_version = 0;
  uint64_t unknown_message = 0;
};

class BrokerServer {
 public:
  // REQUIRES: config, clock and what `observers` names outlive the server.
  BrokerServer(const BrokerConfig& config, Clock& clock, BrokerObservers observers);
  ~BrokerServer();

  // Becomes the owner of the database (startup.h: waiting up to db_wait_ms
  // for it to come up, and as a standby while another broker owns it),
  // rebuilds the index and binds the sockets. Fails with kUnavailable if
  // requestStop() came first.
  Status start(int64_t db_wait_ms);
  // Serves until requestStop(); then flushes pending writes and returns ok.
  // Fails with kFailedPrecondition when another broker took the database
  // over: nothing more was written, and requests waiting for durability got
  // an error.
  Status run();
  void requestStop() {
    stop_requested_ = true;
    stop_.signal();
  }
  bool stopRequested() const { return stop_requested_; }

  // Endpoints after binding (a tcp port of 0/* is resolved).
  const std::string& workerEndpoint() const { return worker_endpoint_; }
  const std::string& clientEndpoint() const { return client_endpoint_; }

 private:
  // Returns how many messages it handled.
  int serveWorkers();
  void serveClients();
  void handleWorkerMessage(const RoutedMessage& message);
  void handleClientMessage(const RoutedMessage& message);
  // Counts a refused message; true when it should also be logged.
  bool countRejected(StatusCode code);

  // Client handlers (client_handlers.cpp), one per request type.
  void onSubmit(const std::string& from, const wire::Envelope& request);
  void onGet(const std::string& from, const wire::Envelope& request);
  void onList(const std::string& from, const wire::Envelope& request);
  void onCancel(const std::string& from, const wire::Envelope& request);
  void onRetry(const std::string& from, const wire::Envelope& request);
  void onStats(const std::string& from, const wire::Envelope& request);
  void onPause(const std::string& from, const wire::Envelope& request);
  void onWorkers(const std::string& from, const wire::Envelope& request);

  // Sends now, or once the writes made so far are durable.
  void replyNow(const std::string& to, wire::Envelope envelope);
  void replyWhenDurable(ParkedReply reply);
  void replyError(const std::string& to, uint64_t correlation_id, const Status& status);
  // A reply the gate let go: sent, or first completed by the reader.
  void release(ParkedReply reply);

  void flushEffects();
  void drainCommitter();
  // Answers every request still waiting for durability with an error.
  void failUnacknowledged(const std::string& why);
  void drainReader();
  int pollTimeoutMs();
  // Finds the workers whose connection closed and declares them lost.
  void watchWorkerConnections(bool socket_woke_without_message);
  // Once per loop turn: the liveness beat, and metrics when due
  // (server_observation.cpp).
  void observeTurn();

  const BrokerConfig& config_;
  Clock& clock_;
  BrokerMetrics& metrics_;
  BrokerHealth& health_;
  BrokerTracing& tracing_;
  TimeMs next_publish_mono_ms_ = 0;
  std::unique_ptr<BrokerCore> core_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<Reader> reader_;
  zmq::context_t context_;
  zmq::socket_t workers_;
  zmq::socket_t clients_;
  std::string worker_endpoint_;
  std::string client_endpoint_;
  std::unique_ptr<DisconnectMonitor> worker_disconnects_;
  TimeMs next_disconnect_check_mono_ms_ = 0;
  std::optional<TimeMs> probe_workers_at_mono_ms_;  // set when a worker connection closed
  EventFd stop_;
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;  // the loop has ended
  // Who this broker is to the database, once it owns it; stats shows it.
  BrokerOwner owner_;
  // Why, once another broker took the database over.
  std::optional<std::string> ownership_lost_;
  DurabilityGate durability_;
  std::vector<ParkedReply> replies_this_round_;
  ServerCounters counters_;
};

}  // namespace gantry::broker
