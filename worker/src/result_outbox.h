// Results on their way to the broker. The protocol has no result ack, so a
// result is kept until the broker has been heard from on the same connection
// after it was sent: a ROUTER can only address us once it has read our
// earlier frames, and the connection was demonstrably alive. If the
// connection is replaced before that, the result is sent again after the
// next hello (the broker keeps one result per lease, so a duplicate is
// harmless). Single-threaded: owned by the I/O thread.
#pragma once

#include <deque>
#include <vector>

#include "gantry.pb.h"

namespace gantry::worker {

class ResultOutbox {
 public:
  void add(wire::JobResult result) { unsent_.push_back(std::move(result)); }

  // The oldest result not yet sent on this connection, or nullptr.
  wire::JobResult* nextUnsent() { return unsent_.empty() ? nullptr : &unsent_.front(); }
  // The result from nextUnsent() went out on the current connection.
  void markSent();

  // The broker spoke after everything in flight was sent.
  void confirmSent() { in_flight_.clear(); }
  // The connection is gone: in-flight results are sent again, first.
  void connectionLost();

  bool empty() const { return unsent_.empty() && in_flight_.empty(); }
  // Results the broker may not have yet.
  size_t size() const { return unsent_.size() + in_flight_.size(); }
  // Leases of every result the broker may not have yet.
  std::vector<wire::HeldLease> leases() const;

 private:
  std::deque<wire::JobResult> unsent_;
  std::deque<wire::JobResult> in_flight_;
};

}  // namespace gantry::worker
