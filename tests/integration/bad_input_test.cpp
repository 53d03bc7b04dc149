// Hostile bytes from a raw ZeroMQ peer: error replies, no crash, no change.
#include <zmq.hpp>

#include "cluster.h"
#include "gantry/common/codec.h"

namespace gantry::test {
namespace {

std::optional<wire::Envelope> receive(zmq::socket_t& socket) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, std::chrono::milliseconds(5000)) == 0) {
    return std::nullopt;
  }
  zmq::message_t message;
  (void)socket.recv(message);
  wire::Envelope env;
  if (!env.ParseFromArray(message.data(), static_cast<int>(message.size()))) {
    return std::nullopt;
  }
  return env;
}

TEST(BadInput, MalformedFramesGetErrorsAndTheBrokerKeepsServing) {
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  zmq::context_t context;
  for (const std::string& endpoint : {cluster.clientEndpoint(), cluster.workerEndpoint()}) {
    zmq::socket_t raw(context, zmq::socket_type::dealer);
    raw.set(zmq::sockopt::linger, 0);
    raw.connect(endpoint);

    raw.send(zmq::str_buffer("\xff\xff\xff garbage"), zmq::send_flags::none);
    auto reply = receive(raw);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->error().code(), wire::MALFORMED);

    wire::Envelope old_version;
    old_version.set_version(99);
    old_version.set_correlation_id(7);
    old_version.mutable_stats();
    raw.send(zmq::buffer(old_version.SerializeAsString()), zmq::send_flags::none);
    reply = receive(raw);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->error().code(), wire::UNSUPPORTED_VERSION);
    EXPECT_EQ(reply->correlation_id(), 7u);

    wire::Envelope wrong_socket;
    wrong_socket.set_version(kProtocolVersion);
    wrong_socket.mutable_assign();  // broker -> worker only
    raw.send(zmq::buffer(wrong_socket.SerializeAsString()), zmq::send_flags::none);
    reply = receive(raw);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->error().code(), wire::UNKNOWN_MESSAGE);

    wire::Envelope empty;
    empty.set_version(kProtocolVersion);
    raw.send(zmq::buffer(empty.SerializeAsString()), zmq::send_flags::none);
    reply = receive(raw);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->error().code(), wire::UNKNOWN_MESSAGE);

    raw.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
    raw.send(zmq::str_buffer("b"), zmq::send_flags::none);
    reply = receive(raw);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->error().code(), wire::MALFORMED);
  }

  // Invalid fields are refused with a message and nothing is stored.
  auto bad = jobSpec("noop");
  bad.set_priority(-3);
  auto refused = cluster.client().submit({bad});
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("priority"), std::string::npos);
  auto oversized = jobSpec("noop", std::string((1 << 20) + 1, 'x'));
  refused = cluster.client().submit({oversized});
  ASSERT_FALSE(refused.isOk());
  EXPECT_NE(refused.status().message().find("payload"), std::string::npos);
  EXPECT_EQ(cluster.activeCount(), 0);

  // Still serving.
  ASSERT_TRUE(cluster.broker().running());
  auto stats = cluster.client().stats();
  ASSERT_TRUE(stats.isOk());
  EXPECT_GE(stats->rejected_total(), 10u);
  cluster.startWorker(2);
  auto ok = cluster.client().submit({jobSpec("noop")});
  ASSERT_TRUE(ok.isOk());
  EXPECT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 1; }, 30s));
}

}  // namespace
}  // namespace gantry::test
