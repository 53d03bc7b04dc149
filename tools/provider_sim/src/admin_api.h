// The simulator's admin API under /admin (JSON; docs/provider-sim.md):
//   GET    /admin/stats              per-resource accounting
//   GET    /admin/dataset            users, tokens, expected meetings/transcripts
//   GET    /admin/faults             active faults
//   POST   /admin/faults             add faults (an object, an array, or {"faults":[...]})
//   DELETE /admin/faults             clear every fault
//   POST   /admin/reset              zero the counters, refill the buckets
//   GET    /admin/requests?resource= arrival times of the last requests
// Not rate limited and not counted. Thread-safe (reads the immutable
// Dataset and the thread-safe SimState).
#pragma once

#include "gantry/sim/dataset.h"
#include "gantry/sim/sim_config.h"
#include "http_exchange.h"
#include "sim_state.h"

namespace gantry::sim {

class AdminApi {
 public:
  // REQUIRES: all arguments outlive this.
  AdminApi(const SimConfig& config, const Dataset& dataset, SimState& state)
      : config_(config), dataset_(dataset), state_(state) {}

  HttpReply handle(const HttpRequest& request);

 private:
  HttpReply stats() const;
  HttpReply dataset() const;
  HttpReply addFaults(const HttpRequest& request);
  HttpReply requests(const HttpRequest& request) const;
  nlohmann::json meetingsJson(const User& user, Platform platform) const;

  const SimConfig& config_;
  const Dataset& dataset_;
  SimState& state_;
};

}  // namespace gantry::sim
