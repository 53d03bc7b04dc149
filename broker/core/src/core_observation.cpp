// What the core shows an observer beyond its events: the front of each
// queue's line and the pool's slots, read when metrics are published.
#include <algorithm>
#include <unordered_map>

#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {
namespace {

class NoObserver final : public CoreObserver {
 public:
  void jobSubmitted(uint32_t, uint32_t) override {}
  void attemptStarted(uint32_t, uint32_t, TimeMs) override {}
  void attemptEnded(uint32_t, uint32_t, wire::Outcome, TimeMs) override {}
  void jobRetried(uint32_t, uint32_t) override {}
  void jobFinished(uint32_t, uint32_t, wire::JobState) override {}
  void jobPartial(uint32_t, uint32_t) override {}
};

}  // namespace

CoreObserver& CoreObserver::none() {
  static NoObserver observer;
  return observer;
}

std::vector<std::pair<uint32_t, TimeMs>> BrokerCore::frontWaits(Now now) {
  std::unordered_map<uint32_t, TimeMs> longest;
  lanes_.forEachHead([&](const LiveJob& job) {
    // rank = due - priority * aging_ms (broker_core.h), on the monotonic line.
    const TimeMs due_mono = job.rank + job.priority * config_.aging_ms;
    const TimeMs waited = std::max<TimeMs>(0, now.mono_ms - due_mono);
    auto [it, inserted] = longest.try_emplace(job.queue, waited);
    if (!inserted) {
      it->second = std::max(it->second, waited);
    }
  });
  return {longest.begin(), longest.end()};
}

BrokerCore::SlotUse BrokerCore::slotUse() const {
  SlotUse use;
  sessions_.forEach([&](const WorkerSession& session) {
    ++use.workers;
    use.slots += session.slots;
    use.busy += std::min(session.busy(), session.slots);
  });
  return use;
}

}  // namespace gantry::broker
