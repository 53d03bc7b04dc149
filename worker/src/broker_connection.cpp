#include "broker_connection.h"

#include <utility>

#include "gantry/net/transport.h"

namespace gantry::worker {

BrokerConnection::BrokerConnection(zmq::context_t& context, std::string endpoint)
    : context_(context), endpoint_(std::move(endpoint)) {}

Status BrokerConnection::open() {
  close(std::chrono::milliseconds(0));
  try {
    zmq::socket_t socket(context_, zmq::socket_type::dealer);
    applyCommonOptions(socket);
    // No routing id of our own: the broker knows us by worker_id in hello,
    // and a reused id would make its ROUTER refuse the new connection while
    // the old one is still registered.
    socket.connect(endpoint_);
    socket_.emplace(std::move(socket));
    return Status::ok();
  } catch (const zmq::error_t& e) {
    return unavailable("cannot connect to broker at " + endpoint_ + ": " + e.what());
  }
}

void BrokerConnection::close(std::chrono::milliseconds linger) {
  if (!socket_) {
    return;
  }
  try {
    socket_->set(zmq::sockopt::linger, static_cast<int>(linger.count()));
  } catch (const zmq::error_t&) {
    // Closing anyway; the only cost is losing queued frames.
  }
  socket_.reset();
}

bool BrokerConnection::send(wire::Envelope& envelope) {
  if (!socket_) {
    return false;
  }
  envelope.set_correlation_id(++sequence_);
  return sendBody(*socket_, envelope);
}

std::optional<std::string> BrokerConnection::receive() {
  if (!socket_) {
    return std::nullopt;
  }
  return receiveBody(*socket_);
}

}  // namespace gantry::worker
