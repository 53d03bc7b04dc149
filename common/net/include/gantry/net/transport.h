// The adapter between cppzmq (which throws) and Gantry (which returns
// values). Every send here is non-blocking: a peer that does not read can
// never stall a poll loop; the message is dropped and the caller is told.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "gantry.pb.h"

namespace gantry {

// One message received on a ROUTER socket: who sent it and the bytes.
struct RoutedMessage {
  std::string routing_id;
  std::string body;
  // Frames beyond [routing id][body]; a well-behaved peer sends none.
  bool extra_frames = false;
};

// Receives one message without blocking; nullopt when nothing is waiting.
std::optional<RoutedMessage> receiveRouted(zmq::socket_t& router);
// Receives one single-part message (DEALER side) without blocking; trailing
// frames of a multi-part message are consumed and dropped.
std::optional<std::string> receiveBody(zmq::socket_t& socket);

// Returns false when the message could not be queued (peer gone or its
// queue full).
bool sendRouted(zmq::socket_t& router, std::string_view routing_id, wire::Envelope& envelope);
bool sendBody(zmq::socket_t& socket, wire::Envelope& envelope);
// The same for an envelope already encoded (encodeEnvelope).
bool sendBody(zmq::socket_t& socket, std::string_view encoded);

// Socket options every Gantry socket wants: no linger on close, a bounded
// receive size, and TCP keepalive so half-open connections are noticed.
void applyCommonOptions(zmq::socket_t& socket);

// Binds and returns the resolved endpoint (a tcp://127.0.0.1:* wildcard is
// turned into the real port). Throws zmq::error_t on failure; callers are
// mains and tests that treat a failed bind as fatal.
std::string bindResolved(zmq::socket_t& socket, const std::string& endpoint);

}  // namespace gantry
