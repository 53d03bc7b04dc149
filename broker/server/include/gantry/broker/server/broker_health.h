// The broker's health as its probes report it (docs/observability.md):
//   /livez    loop     - the poll loop turns (or the broker is still starting
//                        or waiting as a standby, which is alive too)
//   /readyz   role     - this broker owns the database and serves
//             database - its write connection is up
//             schema   - the database's schema is this build's
//   /startupz started  - it got past connecting and the schema check
// Setters are called by start-up, the loop and the committer's observer;
// the checks run on the metrics listener's threads. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "gantry/common/clock.h"
#include "gantry/obs/health.h"

namespace gantry::broker {

class BrokerHealth {
 public:
  enum class Phase : uint8_t { kConnecting, kStandby, kRecovering, kServing, kStopping };

  // REQUIRES: clock outlives this; this outlives `health`'s use of it.
  BrokerHealth(obs::Health& health, const Clock& clock);

  void setPhase(Phase phase, std::string detail);
  void setDatabase(bool reachable, std::string detail) {
    database_.set(reachable, std::move(detail));
  }
  void setSchema(bool current, std::string detail) { schema_.set(current, std::move(detail)); }
  // Called by the loop on every turn.
  void loopTurned(TimeMs now_mono_ms) { loop_.beat(now_mono_ms); }

 private:
  obs::CheckState loopState() const;
  obs::CheckState roleState() const;
  obs::CheckState startedState() const;

  const Clock& clock_;
  std::atomic<Phase> phase_{Phase::kConnecting};
  obs::FlagCheck role_{false, "connecting to the database"};
  obs::FlagCheck database_{false, "not connected yet"};
  obs::FlagCheck schema_{false, "not checked yet"};
  obs::Heartbeat loop_;
};

}  // namespace gantry::broker
