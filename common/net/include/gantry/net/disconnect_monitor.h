// Tells a socket's owner that some peer closed its connection. A
// worker process that exits or is killed closes its connection at once, so
// the broker need not wait out the heartbeat window to learn of it (the
// window still covers peers that go silent without closing: a lost host, a
// cut network).
//
// libzmq reports a closed connection by file descriptor, not by routing id,
// and ZMQ_ROUTER_NOTIFY (which would name it) is a draft API that Debian's
// libzmq does not build. So the monitor only says "someone left"; the
// owner then probes its peers with probeRoutedPeer() to learn who.
//
// Not thread-safe: belongs to the thread that owns the monitored socket.
#pragma once

#include <string>
#include <string_view>

#include <zmq.hpp>

namespace gantry {

class DisconnectMonitor {
 public:
  // Starts monitoring `socket` through an inproc pair named after `name`,
  // which must be unique within `context`. Throws zmq::error_t.
  DisconnectMonitor(zmq::context_t& context, zmq::socket_t& socket, const std::string& name);
  ~DisconnectMonitor();
  DisconnectMonitor(const DisconnectMonitor&) = delete;
  DisconnectMonitor& operator=(const DisconnectMonitor&) = delete;

  // Reads every waiting event without blocking; true if a connection closed.
  bool takeDisconnects();

 private:
  zmq::socket_t& socket_;
  zmq::socket_t events_;
};

// Sends `encoded` (an envelope, encodeEnvelope) to `routing_id` on a ROUTER
// that has ZMQ_ROUTER_MANDATORY set, and returns false only when the ROUTER
// has no connection with that routing id any more. A peer whose queue is
// full counts as connected.
bool probeRoutedPeer(zmq::socket_t& router, const std::string& routing_id,
                     std::string_view encoded);

}  // namespace gantry
