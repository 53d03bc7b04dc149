// PollSet: a message already waiting, one arriving during the wait and a
// readable plain descriptor are each reported; nothing else is, and a
// failed wait says why.
#include "gantry/net/poll_set.h"

#include <gtest/gtest.h>

#include <thread>

#include "gantry/common/mailbox.h"

namespace gantry {
namespace {

constexpr int kLongWaitMs = 10000;  // only reached if a wake-up is lost

struct SocketPair {
  zmq::context_t context{1};
  zmq::socket_t receiver{context, zmq::socket_type::pull};
  zmq::socket_t sender{context, zmq::socket_type::push};
  SocketPair() {
    receiver.bind("inproc://poll-set-test");
    sender.connect("inproc://poll-set-test");
  }
};

// A socket with nothing to receive and an eventfd, both in one poll set.
struct PollSetOverSocketAndFd : ::testing::Test {
  SocketPair pair;
  EventFd event;
  PollSet poll_set;
  const size_t socket = poll_set.addSocket(pair.receiver);
  const size_t fd = poll_set.addFd(event.fd());
};

TEST_F(PollSetOverSocketAndFd, NothingReadyTimesOutWithNothingReported) {
  EXPECT_TRUE(poll_set.wait(0));
  EXPECT_FALSE(poll_set.ready(socket));
  EXPECT_FALSE(poll_set.ready(fd));
}

TEST_F(PollSetOverSocketAndFd, ReadablePlainDescriptorIsReported) {
  event.signal();
  EXPECT_TRUE(poll_set.wait(kLongWaitMs));
  EXPECT_TRUE(poll_set.ready(fd));
  EXPECT_FALSE(poll_set.ready(socket));
}

TEST_F(PollSetOverSocketAndFd, WaitOnAShutDownContextFailsWithTheReason) {
  event.signal();
  pair.context.shutdown();
  std::string error;
  EXPECT_FALSE(poll_set.wait(kLongWaitMs, &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(poll_set.ready(fd));
}

// After one of two queued messages is received, the socket's descriptor has
// nothing new to signal; the second message must still be reported.
TEST(PollSet, MessageLeftAfterAReceiveIsReportedWithoutASignal) {
  SocketPair pair;
  PollSet poll_set;
  const size_t socket = poll_set.addSocket(pair.receiver);
  pair.sender.send(zmq::str_buffer("first"));
  pair.sender.send(zmq::str_buffer("second"));
  poll_set.wait(kLongWaitMs);
  ASSERT_TRUE(poll_set.ready(socket));
  zmq::message_t message;
  ASSERT_TRUE(pair.receiver.recv(message, zmq::recv_flags::dontwait));
  EXPECT_EQ(message.to_string(), "first");

  poll_set.wait(kLongWaitMs);
  ASSERT_TRUE(poll_set.ready(socket));
  ASSERT_TRUE(pair.receiver.recv(message, zmq::recv_flags::dontwait));
  EXPECT_EQ(message.to_string(), "second");
}

// A consumer that receives only when the poll set says so gets every message
// a concurrent producer sends, whether it arrives before or during a wait.
TEST(PollSet, ConsumerWaitingOnThePollSetMissesNothing) {
  constexpr int kMessages = 20000;
  SocketPair pair;
  std::thread producer([&] {
    for (int i = 0; i < kMessages; ++i) {
      pair.sender.send(zmq::buffer(std::to_string(i)));
    }
  });
  PollSet poll_set;
  const size_t socket = poll_set.addSocket(pair.receiver);
  int expected = 0;
  while (expected < kMessages) {
    poll_set.wait(kLongWaitMs);
    ASSERT_TRUE(poll_set.ready(socket)) << "no wake-up with " << expected << " received";
    zmq::message_t message;
    while (pair.receiver.recv(message, zmq::recv_flags::dontwait)) {
      ASSERT_EQ(message.to_string(), std::to_string(expected));
      ++expected;
    }
  }
  producer.join();
  poll_set.wait(0);
  EXPECT_FALSE(poll_set.ready(socket));
}

}  // namespace
}  // namespace gantry
