// The rate-limited resources' metrics (docs/observability.md, "Resources"),
// set from the core's stats by BrokerMetrics::publish about once a second:
// gauges for the limit, the current rate, tokens, the hold and the circuit,
// and counters advanced to the core's totals. Loop thread only.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "gantry.pb.h"
#include "gantry/common/clock.h"

namespace gantry::broker {

// Brings a counter up to a total the core keeps (it never goes down):
// adds what the total grew by since the last publish.
void advanceCounter(prometheus::Counter& counter, double total);

class ResourceMetrics {
 public:
  explicit ResourceMetrics(prometheus::Registry& registry);
  void publish(const wire::StatsReply& stats, TimeMs now_wall_ms);

 private:
  prometheus::Family<prometheus::Gauge>& limit_;
  prometheus::Family<prometheus::Gauge>& rate_;
  prometheus::Family<prometheus::Gauge>& tokens_;
  prometheus::Family<prometheus::Gauge>& held_;
  prometheus::Family<prometheus::Gauge>& circuit_;
  prometheus::Family<prometheus::Gauge>& waiting_;
  prometheus::Family<prometheus::Counter>& granted_;
  prometheus::Family<prometheus::Counter>& pushbacks_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Counter>& opened_;
  prometheus::Family<prometheus::Counter>& waited_;
};

}  // namespace gantry::broker
