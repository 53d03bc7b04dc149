#include "gantry/broker/server/broker_health.h"

namespace gantry::broker {
namespace {

// A loop that has not turned for this long is wedged. It turns at least
// every heartbeat_ms / 10 when idle, and a turn under load is a few ms;
// ten seconds leaves room for a slow machine without hiding a stuck loop.
constexpr int64_t kLoopStallMs = 10'000;

}  // namespace

BrokerHealth::BrokerHealth(obs::Health& health, const Clock& clock)
    : clock_(clock), loop_(kLoopStallMs) {
  using obs::Probe;
  health.add("loop", obs::probes({Probe::kLive}), [this] { return loopState(); });
  health.add("role", obs::probes({Probe::kReady}), [this] { return roleState(); });
  health.add("database", obs::probes({Probe::kReady}), database_.asCheck());
  health.add("schema", obs::probes({Probe::kReady}), schema_.asCheck());
  health.add("started", obs::probes({Probe::kStartup}), [this] { return startedState(); });
}

void BrokerHealth::setPhase(Phase phase, std::string detail) {
  role_.set(phase == Phase::kServing, std::move(detail));
  phase_.store(phase);
}

obs::CheckState BrokerHealth::loopState() const {
  if (phase_.load() != Phase::kServing) {
    return {true, "not serving: " + role_.get().detail};
  }
  return loop_.state(clock_.monoMs());
}

obs::CheckState BrokerHealth::roleState() const { return role_.get(); }

obs::CheckState BrokerHealth::startedState() const {
  const Phase phase = phase_.load();
  if (phase == Phase::kConnecting) {
    return {false, role_.get().detail};
  }
  return {true, phase == Phase::kStandby ? "standby" : "started"};
}

}  // namespace gantry::broker
