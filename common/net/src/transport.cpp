#include "gantry/net/transport.h"

#include "gantry/common/codec.h"

namespace gantry {
namespace {

void dropRemainingFrames(zmq::socket_t& socket) {
  while (socket.get(zmq::sockopt::rcvmore)) {
    zmq::message_t rest;
    (void)socket.recv(rest, zmq::recv_flags::dontwait);
  }
}

}  // namespace

std::optional<RoutedMessage> receiveRouted(zmq::socket_t& router) {
  try {
    zmq::message_t id;
    if (!router.recv(id, zmq::recv_flags::dontwait)) {
      return std::nullopt;
    }
    RoutedMessage out;
    out.routing_id = id.to_string();
    if (!router.get(zmq::sockopt::rcvmore)) {
      return out;  // an empty body: decoding reports it as malformed
    }
    zmq::message_t body;
    (void)router.recv(body, zmq::recv_flags::none);
    out.body = body.to_string();
    out.extra_frames = router.get(zmq::sockopt::rcvmore);
    dropRemainingFrames(router);
    return out;
  } catch (const zmq::error_t&) {
    return std::nullopt;
  }
}

std::optional<std::string> receiveBody(zmq::socket_t& socket) {
  try {
    zmq::message_t body;
    if (!socket.recv(body, zmq::recv_flags::dontwait)) {
      return std::nullopt;
    }
    dropRemainingFrames(socket);
    return body.to_string();
  } catch (const zmq::error_t&) {
    return std::nullopt;
  }
}

bool sendRouted(zmq::socket_t& router, std::string_view routing_id, wire::Envelope& envelope) {
  const std::string bytes = encodeEnvelope(envelope);
  try {
    if (!router.send(zmq::buffer(routing_id),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;
    }
    return router.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;  // EHOSTUNREACH with ROUTER_MANDATORY, or shutting down
  }
}

bool sendBody(zmq::socket_t& socket, wire::Envelope& envelope) {
  return sendBody(socket, encodeEnvelope(envelope));
}

bool sendBody(zmq::socket_t& socket, std::string_view encoded) {
  try {
    return socket.send(zmq::buffer(encoded), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

void applyCommonOptions(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxEnvelopeBytes));
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  // Queues sized for bursts of assigns/results; beyond this a send fails
  // fast instead of buffering without bound.
  socket.set(zmq::sockopt::sndhwm, 100000);
  socket.set(zmq::sockopt::rcvhwm, 100000);
}

std::string bindResolved(zmq::socket_t& socket, const std::string& endpoint) {
  socket.bind(endpoint);
  return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace gantry
