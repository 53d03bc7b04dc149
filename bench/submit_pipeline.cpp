#include "submit_pipeline.h"

#include <algorithm>

#include "otlp_sink.h"
#include "stop_flag.h"

namespace gantry::bench {
namespace {

// The request holding jobs [first, first + jobs) of `load`.
wire::Envelope requestOf(const SubmitLoad& load, size_t first, size_t jobs) {
  wire::Envelope envelope;
  auto* submit = envelope.mutable_submit();
  submit->mutable_jobs()->Reserve(static_cast<int>(jobs));
  for (size_t i = first; i < first + jobs; ++i) {
    auto* job = submit->add_jobs();
    *job = load.mix ? load.mix(i) : load.spec;
    stampTrace(*job);
  }
  return envelope;
}

}  // namespace

SubmitSummary submitPipelined(BrokerClient& client, const SubmitLoad& load,
                              std::chrono::milliseconds stall) {
  // Built once when every job is the same; send() takes a copy, which
  // costs far less than the round trip.
  const wire::Envelope full = requestOf(load, 0, load.mix ? 0 : load.per_request);
  const size_t requests = (load.jobs + load.per_request - 1) / load.per_request;
  const size_t last_size = load.jobs - (requests - 1) * load.per_request;

  SubmitSummary summary;
  summary.min_id = UINT64_MAX;
  size_t sent = 0;
  size_t outstanding = 0;
  const auto start = std::chrono::steady_clock::now();
  while (sent < requests || outstanding > 0) {
    throwIfStopped();
    while (sent < requests && outstanding < load.in_flight) {
      const size_t size = sent + 1 == requests ? last_size : load.per_request;
      auto id = client.send(load.mix || size != load.per_request
                                ? requestOf(load, sent * load.per_request, size)
                                : full);
      if (!id.isOk()) {
        throw BenchError("submit: " + id.status().toString());
      }
      ++sent;
      ++outstanding;
    }
    auto reply = client.receive(stall);
    if (!reply) {
      throw BenchError("submit: no reply for " + std::to_string(stall.count()) + " ms (" +
                       std::to_string(outstanding) + " requests outstanding)");
    }
    if (reply->has_error()) {
      throw BenchError("submit refused: " + reply->error().message());
    }
    if (!reply->has_submit_reply()) {
      continue;  // not ours (e.g. a late stats reply)
    }
    --outstanding;
    for (uint64_t id : reply->submit_reply().ids()) {
      summary.min_id = std::min(summary.min_id, id);
      summary.max_id = std::max(summary.max_id, id);
    }
    summary.acknowledged += static_cast<size_t>(reply->submit_reply().ids_size());
  }
  summary.started = start;
  summary.finished = std::chrono::steady_clock::now();
  summary.seconds = std::chrono::duration<double>(summary.finished - start).count();
  if (summary.acknowledged != load.jobs) {
    throw BenchError("submit: " + std::to_string(summary.acknowledged) + " of " +
                     std::to_string(load.jobs) + " jobs acknowledged");
  }
  return summary;
}

}  // namespace gantry::bench
