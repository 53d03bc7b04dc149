// One wait over ZeroMQ sockets and plain file descriptors.
//
// zmq_poll does a zero-timeout poll(2) first and asks every socket for its
// events (ZMQ_EVENTS, which costs two system calls in libzmq) before and
// after it blocks: ten system calls for two sockets each time a loop goes to
// sleep. PollSet asks each socket once and blocks in a single poll(2) on the
// sockets' ZMQ_FD descriptors, which libzmq signals whenever a socket's state
// may have changed. Loops here sleep and wake thousands of times a second, and
// on a virtual machine every system call is expensive.
#pragma once

#include <poll.h>

#include <cstddef>
#include <string>
#include <vector>

#include <zmq.hpp>

namespace gantry {

class PollSet {
 public:
  // Entries are numbered in the order they are added, from 0.
  size_t addSocket(zmq::socket_t& socket);
  size_t addFd(int fd);
  // Forgets every entry, keeping the memory for the next ones.
  void clear();

  // Blocks for at most `timeout_ms` (negative: no limit) until an entry is
  // ready, and returns without blocking if a socket already has a message.
  // A signal cuts the wait short. Returns false, with nothing ready and the
  // reason in `error`, when the wait itself failed (the ZeroMQ context was
  // shut down, or poll(2) failed other than by EINTR).
  bool wait(int timeout_ms, std::string* error = nullptr);

  // After wait(): a plain descriptor is readable (or has an error or hang-up),
  // or a socket may have a message to receive. A socket's descriptor also
  // signals other internal events, so a socket reported ready can still have
  // nothing; receiving until nothing is left settles it either way.
  bool ready(size_t entry) const { return ready_[entry]; }

 private:
  std::vector<pollfd> fds_;
  std::vector<zmq::socket_t*> sockets_;  // parallel to fds_; nullptr for a plain fd
  std::vector<bool> ready_;
};

}  // namespace gantry
