// Replies that acknowledge a change wait here until the change is durable.
//
// Every loop round that wrote something hands its batch to the committer
// under the next ticket (issue()); the committer reports the highest ticket
// whose batch is committed (durable()). A reply produced in a round is
// parked under the latest ticket issued if that ticket is not yet durable,
// so a reply never overtakes any write made before it, including writes of
// other clients' events (a duplicate submit that returns the id of a job
// not yet committed). With nothing pending it may go at once. Replies are
// released in the order they were parked.
//
// Not thread-safe: owned by the broker loop. No sockets: the loop sends
// what admit() and durable() return.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "gantry.pb.h"
#include "gantry/trace/span.h"

namespace gantry::broker {

struct ParkedReply {
  std::string routing_id;
  wire::Envelope envelope;
  // A cancel reply whose ids the core did not find: once released, the
  // store tells final jobs from unknown ones before it is sent.
  bool resolve_not_found = false;
  // Spans that end when the reply is released: a submit's enqueue spans
  // (broker_tracing.h) end when its jobs are durable.
  std::vector<trace::Span> spans;
};

class DurabilityGate {
 public:
  // A batch of writes goes to the committer under the returned ticket.
  uint64_t issue() { return ++issued_; }
  // The reply back, to send now, when everything written so far is durable;
  // nullopt when it is parked.
  std::optional<ParkedReply> admit(ParkedReply reply);
  // Every batch with a ticket up to `ticket` is durable: the replies that
  // may go now, in order.
  std::vector<ParkedReply> durable(uint64_t ticket);
  // Every reply still parked (the broker is stopping), in order.
  std::vector<ParkedReply> takeAll();

  uint64_t issued() const { return issued_; }
  size_t parked() const { return parked_.size(); }

 private:
  struct Parked {
    uint64_t ticket = 0;
    ParkedReply reply;
  };
  uint64_t issued_ = 0;   // last ticket handed to the committer
  uint64_t durable_ = 0;  // last ticket known durable
  std::deque<Parked> parked_;
};

}  // namespace gantry::broker
