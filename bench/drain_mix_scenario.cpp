// drain-mix: drain with W1's job mix. Every tenth job has priority 9 (the
// rest 0) and the jobs take turns over 50 concurrency keys, user:0 to
// user:49, under the broker's default cap of 1 running job per key. At
// most 50 jobs can then run at once against the workers' 64 slots, and the
// broker picks by priority and key instead of taking the queue's head, so
// beside plain drain this shows what caps and priorities cost.
#include "backlog_drain.h"
#include "deployment.h"
#include "scenario.h"

namespace gantry::bench {
namespace {

constexpr size_t kKeys = 50;
constexpr size_t kHighPriorityEvery = 10;
constexpr int32_t kHighPriority = 9;

// Job i belongs to key i mod 50. One job in ten has high priority: every
// tenth of each round over the keys, starting one key later each round.
// Plain "i mod 10 = 0" would put every high-priority job on keys 0, 10, 20,
// 30 and 40 (10 divides 50), and priority would only rank five users above
// the others; this way every key has one high-priority job in ten.
wire::JobSpec mixJob(size_t index) {
  wire::JobSpec spec = noopJob(index);
  const size_t round = index / kKeys;
  const bool high = index % kHighPriorityEvery == round % kHighPriorityEvery;
  spec.set_priority(high ? kHighPriority : 0);
  spec.set_concurrency_key("user:" + std::to_string(index % kKeys));
  return spec;
}

}  // namespace

Scenario drainMixScenario() {
  Scenario s;
  s.name = "drain-mix";
  s.summary =
      "drain with W1's mix: every tenth job priority 9, jobs spread round-robin over "
      "50 concurrency keys capped at 1 running each (the broker's default)";
  s.metrics = drainMetrics();
  s.run = [s](int runs) {
    return repeat(s, runs, [](int run) {
      Deployment d("drain-mix");
      d.startBroker(kFastBrokerFlags);
      return drainBacklog(d, mixJob, "m" + std::to_string(run));
    });
  };
  return s;
}

}  // namespace gantry::bench
