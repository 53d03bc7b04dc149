// Mailbox: readiness follows the queue, with one signal per batch of
// pushes, and nothing pushed is ever left without a signal.
#include "gantry/common/mailbox.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

namespace gantry {
namespace {

bool readable(int fd) {
  pollfd p = {fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(Mailbox, ReadableExactlyWhileItemsWait) {
  Mailbox<int> box;
  EXPECT_FALSE(readable(box.fd()));
  box.push(1);
  box.push(2);
  EXPECT_TRUE(readable(box.fd()));
  EXPECT_EQ(box.drain(), (std::deque<int>{1, 2}));
  EXPECT_FALSE(readable(box.fd()));
  EXPECT_TRUE(box.drain().empty());
  box.push(3);  // the first push after a drain signals again
  EXPECT_TRUE(readable(box.fd()));
  EXPECT_EQ(box.drain(), (std::deque<int>{3}));
}

// A consumer that drains only when the fd says so receives every item a
// concurrent producer pushes.
TEST(Mailbox, ConsumerWaitingOnTheFdMissesNothing) {
  constexpr int kItems = 100000;
  Mailbox<int> box;
  std::thread producer([&] {
    for (int i = 0; i < kItems; ++i) {
      box.push(i);
    }
  });
  int expected = 0;
  while (expected < kItems) {
    pollfd p = {box.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10000), 1) << "no signal with " << expected << " items taken";
    for (int item : box.drain()) {
      ASSERT_EQ(item, expected);
      ++expected;
    }
  }
  producer.join();
  EXPECT_FALSE(readable(box.fd()));
}

}  // namespace
}  // namespace gantry
