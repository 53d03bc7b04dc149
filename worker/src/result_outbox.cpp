#include "result_outbox.h"

#include <cassert>
#include <utility>

namespace gantry::worker {

void ResultOutbox::markSent() {
  assert(!unsent_.empty());
  in_flight_.push_back(std::move(unsent_.front()));
  unsent_.pop_front();
}

void ResultOutbox::connectionLost() {
  while (!in_flight_.empty()) {
    unsent_.push_front(std::move(in_flight_.back()));
    in_flight_.pop_back();
  }
}

std::vector<wire::HeldLease> ResultOutbox::leases() const {
  std::vector<wire::HeldLease> out;
  for (const auto* queue : {&in_flight_, &unsent_}) {
    for (const auto& result : *queue) {
      wire::HeldLease held;
      held.set_job_id(result.job_id());
      held.set_lease(result.lease());
      out.push_back(std::move(held));
    }
  }
  return out;
}

}  // namespace gantry::worker
