// The DurabilityGate without sockets: replies wait for every write made
// before them, and leave in order.
#include "gantry/broker/server/durability_gate.h"

#include <gtest/gtest.h>

namespace gantry::broker {
namespace {

ParkedReply replyTo(const std::string& client, uint64_t correlation_id) {
  ParkedReply reply;
  reply.routing_id = client;
  reply.envelope.set_correlation_id(correlation_id);
  return reply;
}

std::vector<uint64_t> ids(const std::vector<ParkedReply>& replies) {
  std::vector<uint64_t> out;
  out.reserve(replies.size());
  for (const auto& reply : replies) {
    out.push_back(reply.envelope.correlation_id());
  }
  return out;
}

TEST(DurabilityGate, AReplyGoesAtOnceWhenNothingAwaitsDurability) {
  DurabilityGate gate;
  EXPECT_TRUE(gate.admit(replyTo("a", 1)).has_value());
  const uint64_t ticket = gate.issue();
  (void)gate.durable(ticket);
  EXPECT_TRUE(gate.admit(replyTo("a", 2)).has_value());
  EXPECT_EQ(gate.parked(), 0u);
}

TEST(DurabilityGate, AReplyWaitsForEveryWriteIssuedBeforeIt) {
  DurabilityGate gate;
  const uint64_t first = gate.issue();
  EXPECT_FALSE(gate.admit(replyTo("a", 1)).has_value());
  const uint64_t second = gate.issue();
  // A reply of another client's event that wrote nothing itself, such as a
  // duplicate submit naming a job not yet durable, still waits.
  EXPECT_FALSE(gate.admit(replyTo("b", 2)).has_value());
  EXPECT_EQ(ids(gate.durable(first)), std::vector<uint64_t>{1});
  EXPECT_EQ(ids(gate.durable(second)), std::vector<uint64_t>{2});
  EXPECT_EQ(gate.parked(), 0u);
}

TEST(DurabilityGate, ALaterTicketReleasesEverythingBeforeItInOrder) {
  DurabilityGate gate;
  for (uint64_t i = 1; i <= 3; ++i) {
    (void)gate.issue();
    EXPECT_FALSE(gate.admit(replyTo("a", i)).has_value());
  }
  EXPECT_TRUE(gate.durable(0).empty());
  EXPECT_EQ(ids(gate.durable(gate.issued())), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(DurabilityGate, WhatIsStillParkedAtStopIsHandedOverInOrder) {
  DurabilityGate gate;
  (void)gate.issue();
  (void)gate.admit(replyTo("a", 1));
  (void)gate.admit(replyTo("b", 2));
  EXPECT_EQ(ids(gate.takeAll()), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(gate.parked(), 0u);
}

}  // namespace
}  // namespace gantry::broker
