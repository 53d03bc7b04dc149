#include "gantry/net/disconnect_monitor.h"

#include <cstdint>
#include <cstring>

namespace gantry {

DisconnectMonitor::DisconnectMonitor(zmq::context_t& context, zmq::socket_t& socket,
                                     const std::string& name)
    : socket_(socket), events_(context, zmq::socket_type::pair) {
  const std::string endpoint = "inproc://" + name;
  if (zmq_socket_monitor(socket_.handle(), endpoint.c_str(), ZMQ_EVENT_DISCONNECTED) != 0) {
    throw zmq::error_t();
  }
  events_.set(zmq::sockopt::linger, 0);
  events_.connect(endpoint);
}

DisconnectMonitor::~DisconnectMonitor() {
  // Stops the monitor before its pair closes; the socket outlives us.
  zmq_socket_monitor(socket_.handle(), nullptr, 0);
}

bool DisconnectMonitor::takeDisconnects() {
  bool disconnected = false;
  try {
    while (true) {
      // Each event is two frames: 2 bytes of event id and 4 of value, then
      // the endpoint.
      zmq::message_t event;
      if (!events_.recv(event, zmq::recv_flags::dontwait)) {
        return disconnected;
      }
      if (event.size() >= sizeof(uint16_t)) {
        uint16_t id = 0;
        std::memcpy(&id, event.data(), sizeof id);
        disconnected = disconnected || id == ZMQ_EVENT_DISCONNECTED;
      }
      while (events_.get(zmq::sockopt::rcvmore)) {
        zmq::message_t rest;
        (void)events_.recv(rest, zmq::recv_flags::dontwait);
      }
    }
  } catch (const zmq::error_t&) {
    return disconnected;
  }
}

bool probeRoutedPeer(zmq::socket_t& router, const std::string& routing_id,
                     std::string_view encoded) {
  try {
    if (!router.send(zmq::buffer(routing_id),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return true;  // its queue is full: still connected
    }
    (void)router.send(zmq::buffer(encoded), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t& e) {
    return e.num() != EHOSTUNREACH;
  }
}

}  // namespace gantry
