// The worker's one adapter over cppzmq: a DEALER socket to the broker that
// can be thrown away and replaced (Paranoid Pirate reconnects need a fresh
// socket, because a half-dead peer would otherwise keep our queued frames).
// Exceptions from cppzmq stop here. Owned and used by the I/O thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "gantry.pb.h"
#include "gantry/common/status.h"

namespace gantry::worker {

class BrokerConnection {
 public:
  // `context` must outlive this object.
  BrokerConnection(zmq::context_t& context, std::string endpoint);

  // Replaces any open socket with a fresh DEALER connected to the endpoint.
  // Connecting is asynchronous: frames sent now are queued until the TCP
  // connection is up. Fails only for an unusable endpoint.
  Status open();
  // Drops the socket. Frames still queued are kept for up to `linger` (spent
  // in zmq context termination), then discarded.
  void close(std::chrono::milliseconds linger);
  bool isOpen() const { return socket_.has_value(); }

  // Non-blocking; false when not open or the frame could not be queued.
  // Stamps the envelope's correlation_id with the next sequence number
  // (protocol.md, "Reannounce"); numbers keep increasing across reconnects.
  bool send(wire::Envelope& envelope);
  // The sequence number of the last envelope sent (0 before the first).
  uint64_t lastSequence() const { return sequence_; }
  // Non-blocking; nullopt when nothing is waiting or not open.
  std::optional<std::string> receive();

  // For PollSet. REQUIRES: isOpen()
  zmq::socket_t& socket() { return *socket_; }

 private:
  zmq::context_t& context_;
  std::string endpoint_;
  std::optional<zmq::socket_t> socket_;
  uint64_t sequence_ = 0;
};

}  // namespace gantry::worker
