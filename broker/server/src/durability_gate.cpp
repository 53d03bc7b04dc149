#include "gantry/broker/server/durability_gate.h"

#include <algorithm>

namespace gantry::broker {

std::optional<ParkedReply> DurabilityGate::admit(ParkedReply reply) {
  if (issued_ <= durable_) {
    return reply;
  }
  parked_.push_back({issued_, std::move(reply)});
  return std::nullopt;
}

std::vector<ParkedReply> DurabilityGate::durable(uint64_t ticket) {
  durable_ = std::max(durable_, ticket);
  std::vector<ParkedReply> released;
  while (!parked_.empty() && parked_.front().ticket <= durable_) {
    released.push_back(std::move(parked_.front().reply));
    parked_.pop_front();
  }
  return released;
}

std::vector<ParkedReply> DurabilityGate::takeAll() {
  std::vector<ParkedReply> all;
  for (Parked& parked : parked_) {
    all.push_back(std::move(parked.reply));
  }
  parked_.clear();
  return all;
}

}  // namespace gantry::broker
