// What the loop does for the probes and metrics on each turn: one beat for
// /livez, and about once a second the gauges (BrokerMetrics::publish) and the
// database check. Cheap on purpose: a turn can be a few microseconds.
#include "gantry/broker/server/broker_server.h"

namespace gantry::broker {
namespace {

// Gauges move this often; Prometheus scrapes every 10-60 s in practice, and
// publishing costs a pass over the queues and lanes.
constexpr int64_t kPublishIntervalMs = 1000;

}  // namespace

void BrokerServer::observeTurn() {
  const Now now = clock_.now();
  health_.loopTurned(now.mono_ms);
  if (now.mono_ms < next_publish_mono_ms_) {
    return;
  }
  next_publish_mono_ms_ = now.mono_ms + kPublishIntervalMs;
  const bool connected = committer_->connected();
  health_.setDatabase(connected, connected ? "connected" : "write connection down; reconnecting");
  metrics_.publish(*core_, {connected, committer_->reconnects(), committer_->backlog()},
                   ownership_lost_ ? 0 : owner_.epoch, now);
}

}  // namespace gantry::broker
