// Submitting many jobs from one client with several requests in flight
// (BrokerClient::send/receive), the way a bulk producer would.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "gantry.pb.h"
#include "gantry/net/broker_client.h"

namespace gantry::bench {

// Job `index` (0-based, in submit order) of a load whose jobs differ.
using JobMix = std::function<wire::JobSpec(size_t index)>;

struct SubmitLoad {
  size_t jobs = 0;         // total jobs
  size_t per_request = 1;  // jobs per SubmitRequest (the last may hold fewer)
  size_t in_flight = 16;   // requests sent but not yet answered, at most
  wire::JobSpec spec;      // every job is a copy of this, unless `mix` is set
  JobMix mix;              // when set, job i is mix(i) and `spec` is unused
};

struct SubmitSummary {
  size_t acknowledged = 0;  // jobs whose submit was acknowledged (durable)
  uint64_t min_id = 0;      // smallest and largest id acknowledged
  uint64_t max_id = 0;
  double seconds = 0;  // first send to last reply
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;
};

// Sends load.jobs jobs and waits for every reply. Throws BenchError on an
// error reply, on a full send queue, or when no reply arrives for `stall`.
SubmitSummary submitPipelined(BrokerClient& client, const SubmitLoad& load,
                              std::chrono::milliseconds stall = std::chrono::seconds(60));

}  // namespace gantry::bench
