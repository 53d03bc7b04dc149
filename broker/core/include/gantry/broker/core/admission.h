// Admission: whether a runnable job may start now. A job passes two stages
// (docs/job-semantics.md, "Admission"):
//
//   entry  the key cap (KeyCaps, key_caps.h). Its scope, one concurrency key,
//          is narrower than a lane, so a job it refuses waits beside its key,
//          off its lane, and never blocks jobs of other keys.
//   lane   the gates of an Admission list, in order: pause, queue cap, kind
//          cap. Each answers alike for every job of a (queue, kind) lane, so
//          it is asked about the lane's head only, and a refusal leaves the
//          whole lane waiting at no cost per job.
//
// Then dispatch gives the job to a worker with a free slot that runs its
// kind. Every gate implements AdmissionGate; a new condition (a rate limit,
// a circuit breaker) is one more gate in the list.
//
// Not thread-safe: part of the core.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "gantry/broker/core/config.h"
#include "gantry/broker/core/live_job.h"
#include "gantry/broker/core/name_table.h"
#include "gantry/broker/core/queue_table.h"

namespace gantry::broker {

class AdmissionGate {
 public:
  virtual ~AdmissionGate() = default;
  // Names the gate in docs, stats and tests: "paused", "queue cap", ...
  virtual std::string_view name() const = 0;
  // Whether `job` may start now. Lane gates are asked about lane heads and
  // must answer alike for every job of the head's (queue, kind).
  virtual bool admits(const LiveJob& job) const = 0;
  // `job` started running; a job that had started stopped (finished,
  // failed, was lost or handed back). For gates that count.
  virtual void onStarted(const LiveJob& job) {}
  virtual void onStopped(const LiveJob& job) {}
};

// The lane gates, asked in order.
class Admission {
 public:
  void add(std::unique_ptr<AdmissionGate> gate) { gates_.push_back(std::move(gate)); }
  // The first gate that refuses `job`, or nullptr when all admit it.
  const AdmissionGate* refusing(const LiveJob& job) const {
    for (const auto& gate : gates_) {
      if (!gate->admits(job)) {
        return gate.get();
      }
    }
    return nullptr;
  }
  void started(const LiveJob& job) {
    for (auto& gate : gates_) {
      gate->onStarted(job);
    }
  }
  void stopped(const LiveJob& job) {
    for (auto& gate : gates_) {
      gate->onStopped(job);
    }
  }

 private:
  std::vector<std::unique_ptr<AdmissionGate>> gates_;
};

// A paused queue starts nothing (gantryctl pause).
class PauseGate final : public AdmissionGate {
 public:
  explicit PauseGate(const QueueTable& queues) : queues_(queues) {}
  std::string_view name() const override { return "paused"; }
  bool admits(const LiveJob& job) const override { return !queues_.paused(job.queue); }

 private:
  const QueueTable& queues_;
};

// At most --queue-limit jobs of a queue run at once, pool-wide.
class QueueCapGate final : public AdmissionGate {
 public:
  QueueCapGate(const BrokerConfig& config, const NameTable& names, const QueueTable& queues)
      : config_(config), names_(names), queues_(queues) {}
  std::string_view name() const override { return "queue cap"; }
  bool admits(const LiveJob& job) const override;

 private:
  const BrokerConfig& config_;
  const NameTable& names_;
  const QueueTable& queues_;              // counts running jobs per queue
  mutable std::vector<uint32_t> limits_;  // by queue id, resolved on first use
};

// At most --kind-limit jobs of a kind run at once, pool-wide.
class KindCapGate final : public AdmissionGate {
 public:
  KindCapGate(const BrokerConfig& config, const NameTable& names)
      : config_(config), names_(names) {}
  std::string_view name() const override { return "kind cap"; }
  bool admits(const LiveJob& job) const override;
  void onStarted(const LiveJob& job) override;
  void onStopped(const LiveJob& job) override;

 private:
  uint32_t limitFor(uint32_t kind) const;

  const BrokerConfig& config_;
  const NameTable& names_;
  std::vector<uint32_t> running_;         // by kind id
  mutable std::vector<uint32_t> limits_;  // by kind id, resolved on first use
};

}  // namespace gantry::broker
