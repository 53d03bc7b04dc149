// The worker's ResourceLimiter (handler.h): handler threads ask for permits
// and report calls; the I/O thread carries both to the broker and hands
// grants back. A request waits in `in_flight_` until the broker answers;
// when the connection is replaced, everything waiting is asked for again
// after the hello (the broker forgot the old session's requests).
//
// Threads: acquire() and report() on handler threads; every other method
// on the I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "gantry.pb.h"
#include "gantry/common/status.h"
#include "gantry/worker/handler.h"

namespace gantry::worker {

// One acquire() call waiting for the broker.
struct PendingPermit {
  uint64_t request_id = 0;
  uint64_t job_id = 0;
  uint64_t lease = 0;
  std::string resource;
  uint32_t count = 0;
  CancelToken* token = nullptr;  // the waiting attempt's; alive while it waits
  Status status;                 // written before `done`
  std::atomic<bool> done{false};
};

// Handler thread -> I/O thread.
struct PermitAsk {
  std::shared_ptr<PendingPermit> permit;
};
struct PermitAbandon {
  uint64_t request_id = 0;
};
struct ResourceNote {
  std::string resource;
  wire::ResourceSignal signal = wire::RESOURCE_SIGNAL_UNSPECIFIED;
  uint64_t retry_after_ms = 0;
};
using PermitEvent = std::variant<PermitAsk, PermitAbandon, ResourceNote>;

class PermitClient final : public ResourceLimiter {
 public:
  // `post` hands an event to the I/O thread (thread-safe); `send` puts an
  // envelope on the broker connection if there is one (I/O thread).
  PermitClient(std::function<void(PermitEvent)> post, std::function<bool(wire::Envelope&)> send)
      : post_(std::move(post)), send_(std::move(send)) {}

  Status acquire(const JobInfo& job, CancelToken& token, std::string_view resource,
                 uint32_t count) override;
  void report(std::string_view resource, wire::ResourceSignal signal,
              uint64_t retry_after_ms) override;

  // I/O thread.
  void onEvent(PermitEvent&& event);
  void onGrant(const wire::PermitGrant& grant);
  // A hello went out on a new connection: ask again for everything waiting.
  void resendAll();
  size_t waiting() const { return in_flight_.size(); }

 private:
  void sendRequest(const PendingPermit& permit);

  std::function<void(PermitEvent)> post_;
  std::function<bool(wire::Envelope&)> send_;
  std::atomic<uint64_t> next_request_id_{1};
  std::map<uint64_t, std::shared_ptr<PendingPermit>> in_flight_;  // I/O thread
};

}  // namespace gantry::worker
