#include "gantry/net/poll_set.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace gantry {

size_t PollSet::addSocket(zmq::socket_t& socket) {
  fds_.push_back({socket.get(zmq::sockopt::fd), POLLIN, 0});
  sockets_.push_back(&socket);
  ready_.push_back(false);
  return fds_.size() - 1;
}

size_t PollSet::addFd(int fd) {
  fds_.push_back({fd, POLLIN, 0});
  sockets_.push_back(nullptr);
  ready_.push_back(false);
  return fds_.size() - 1;
}

void PollSet::clear() {
  fds_.clear();
  sockets_.clear();
  ready_.clear();
}

bool PollSet::wait(int timeout_ms, std::string* error) {
  const auto fail = [&](std::string reason) {
    std::fill(ready_.begin(), ready_.end(), false);
    if (error != nullptr) {
      *error = std::move(reason);
    }
    return false;
  };
  // A socket's descriptor only signals changes, so a message that arrived
  // before now (or that an earlier send or receive noticed while processing
  // the socket's commands) would not wake the poll: ask each socket first.
  bool message_waiting = false;
  try {
    for (size_t i = 0; i < fds_.size(); ++i) {
      ready_[i] =
          sockets_[i] != nullptr && (sockets_[i]->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
      message_waiting = message_waiting || ready_[i];
    }
  } catch (const zmq::error_t& e) {
    return fail(e.what());
  }
  const int polled = ::poll(fds_.data(), fds_.size(), message_waiting ? 0 : timeout_ms);
  if (polled < 0 && errno != EINTR) {
    return fail(std::strerror(errno));
  }
  for (size_t i = 0; polled > 0 && i < fds_.size(); ++i) {
    ready_[i] = ready_[i] || fds_[i].revents != 0;
  }
  return true;
}

}  // namespace gantry
