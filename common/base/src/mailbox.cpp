#include "gantry/common/mailbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace gantry {

EventFd::EventFd() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) {
    throw std::runtime_error("eventfd failed");
  }
}

EventFd::~EventFd() { ::close(fd_); }

void EventFd::signal() {
  const uint64_t one = 1;
  // EAGAIN means the counter is saturated, which is still "ready".
  [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
}

void EventFd::clear() {
  uint64_t value = 0;
  [[maybe_unused]] auto n = ::read(fd_, &value, sizeof value);
}

}  // namespace gantry
