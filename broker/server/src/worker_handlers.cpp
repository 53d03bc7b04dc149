// Decoding and dispatch of worker -> broker messages.
#include "gantry/broker/server/broker_server.h"
#include "gantry/common/codec.h"
#include "gantry/common/log.h"

namespace gantry::broker {

bool BrokerServer::countRejected(StatusCode code) {
  metrics_.protocolError(code);
  switch (code) {
    case StatusCode::kUnsupportedVersion:
      ++counters_.unsupported_version;
      break;
    case StatusCode::kUnknownMessage:
      ++counters_.unknown_message;
      break;
    default:
      ++counters_.malformed;
      break;
  }
  // A misbehaving peer must not flood the log: the first few, then samples.
  const uint64_t total =
      counters_.unsupported_version + counters_.unknown_message + counters_.malformed;
  return total <= 10 || total % 1000 == 0;
}

void BrokerServer::handleWorkerMessage(const RoutedMessage& message) {
  Decoded decoded = decodeEnvelope(message.body);
  if (!decoded.status.isOk() || message.extra_frames) {
    if (countRejected(decoded.status.code())) {
      log::warn("rejected worker message",
                {{"error",
                  message.extra_frames ? "unexpected extra frames" : decoded.status.toString()}});
    }
    wire::Envelope error = makeErrorEnvelope(
        message.extra_frames ? wire::MALFORMED : toWireError(decoded.status.code()),
        message.extra_frames ? "expected one frame per message" : decoded.status.message(),
        decoded.envelope.correlation_id());
    sendRouted(workers_, message.routing_id, error);
    return;
  }
  const wire::Envelope& env = decoded.envelope;
  const Now now = clock_.now();
  const Sender from{message.routing_id, env.correlation_id()};
  switch (env.body_case()) {
    case wire::Envelope::kHello:
      core_->onHello(from, env.hello(), now);
      log::info("worker announced", {{"worker_id", env.hello().worker_id()},
                                     {"slots", env.hello().slots()},
                                     {"held", env.hello().held_size()}});
      return;
    case wire::Envelope::kCredit:
      core_->onCredit(from, env.credit(), now);
      return;
    case wire::Envelope::kProgress:
      core_->onProgress(from, env.progress(), now);
      return;
    case wire::Envelope::kResult:
      core_->onResult(from, env.result(), now);
      return;
    case wire::Envelope::kHeartbeat:
      core_->onHeartbeat(from, now);
      return;
    case wire::Envelope::kPermitRequest:
      core_->onPermitRequest(from, env.permit_request(), now);
      return;
    case wire::Envelope::kPermitCancel:
      core_->onPermitCancel(from, env.permit_cancel(), now);
      return;
    case wire::Envelope::kResourceReport:
      core_->onResourceReport(from, env.resource_report(), now);
      return;
    default: {
      if (countRejected(StatusCode::kUnknownMessage)) {
        log::warn("unexpected message on the worker socket", {{"body", bodyName(env)}});
      }
      wire::Envelope error = makeErrorEnvelope(wire::UNKNOWN_MESSAGE,
                                               std::string("workers may not send ") + bodyName(env),
                                               env.correlation_id());
      sendRouted(workers_, message.routing_id, error);
      return;
    }
  }
}

}  // namespace gantry::broker
