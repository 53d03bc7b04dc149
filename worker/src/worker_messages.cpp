// Broker -> worker messages: one small handler per message type, all of the
// same shape, dispatched by one switch whose default rejects the message.
#include <string>

#include "gantry/common/codec.h"
#include "gantry/common/log.h"
#include "gantry/common/utf8.h"
#include "job_runner.h"
#include "worker_loop.h"

namespace gantry::worker {
namespace {

// A burst of messages is drained before timers are looked at again.
constexpr int kMaxReceiveBatch = 256;
// Bad input is logged for the first few and then sampled, so a broken peer
// cannot flood the log.
constexpr uint64_t kBadInputLoggedInFull = 10;
constexpr uint64_t kBadInputLogEvery = 1000;
constexpr size_t kMaxEchoedNameBytes = 200;

}  // namespace

void WorkerLoop::receiveAll(Now now) {
  for (int i = 0; i < kMaxReceiveBatch && connection_.isOpen(); ++i) {
    auto bytes = connection_.receive();
    if (!bytes) {
      return;
    }
    onBrokerBytes(*bytes, now);
  }
}

void WorkerLoop::onBrokerBytes(const std::string& bytes, Now now) {
  // Whatever arrived, the broker is alive and has read what we sent before:
  // a ROUTER cannot address us otherwise.
  heard(now);
  const Decoded decoded = decodeEnvelope(bytes);
  if (!decoded.status.isOk()) {
    outbox_.confirmSent();
    // A body this build does not know is a newer peer, not line noise.
    const bool unknown_body = decoded.status.code() == StatusCode::kUnknownMessage;
    countBadInput(unknown_body ? counters_.unexpected_messages : counters_.malformed_messages,
                  decoded.status.toString());
    return;
  }
  const wire::Envelope& envelope = decoded.envelope;
  if (envelope.body_case() != wire::Envelope::kReannounce) {
    outbox_.confirmSent();
  }
  switch (envelope.body_case()) {
    case wire::Envelope::kAssign:
      onAssign(envelope.assign(), now);
      return;
    case wire::Envelope::kCancelJob:
      onCancelJob(envelope.cancel_job());
      return;
    case wire::Envelope::kHeartbeat:
      return;  // life was noted above
    case wire::Envelope::kPermitGrant:
      permits_.onGrant(envelope.permit_grant());
      return;
    case wire::Envelope::kReannounce:
      onReannounce(envelope.correlation_id());
      return;
    case wire::Envelope::kError:
      onError(envelope.error());
      return;
    default:
      countBadInput(counters_.unexpected_messages,
                    std::string("message '") + bodyName(envelope) + "' is not for a worker");
      return;
  }
}

void WorkerLoop::onAssign(const wire::Assign& assign, Now now) {
  const uint64_t job_id = assign.job().id();
  const uint64_t lease = assign.lease();
  if (job_id == 0 || lease == 0) {
    countBadInput(counters_.unexpected_messages, "assign without a job id or lease");
    return;
  }
  if (jobs_.find(job_id, lease) != nullptr) {
    countBadInput(
        counters_.unexpected_messages,
        "duplicate assign of job " + std::to_string(job_id) + " lease " + std::to_string(lease));
    return;
  }
  if (draining_) {
    handBack(job_id, lease, "worker " + worker_id_ + " is shutting down");
    return;
  }
  if (!jobs_.hasFreeThread()) {
    handBack(job_id, lease, "worker " + worker_id_ + " has no free slot");
    return;
  }
  const std::string& kind = assign.job().spec().kind();
  Handler* handler = handlerFor(kind);
  if (handler == nullptr) {
    // Not FATAL: another worker may run it. Not HANDED_BACK: the broker
    // could send it straight back here forever.
    log::warn("assigned a kind this worker does not run",
              {{"worker_id", worker_id_}, {"job_id", job_id}, {"kind", kind}});
    queueResult(job_id, lease, wire::OUTCOME_RETRYABLE, {},
                "worker " + worker_id_ + " does not run kind '" +
                    sanitizeText(kind, kMaxEchoedNameBytes) + "'");
    return;
  }
  startJob(assign, *handler, now);
}

void WorkerLoop::onCancelJob(const wire::CancelJob& cancel) {
  const auto matches = jobs_.match(cancel.job_id(), cancel.lease());
  if (matches.empty()) {
    // Normal race: the job finished and its result is on the way.
    log::debug("cancel for a job not running here",
               {{"worker_id", worker_id_}, {"job_id", cancel.job_id()}});
    return;
  }
  for (RunningJob* job : matches) {
    if (!job->reported && job->token->cancel(CancelReason::kCancelled)) {
      log::info("job cancel requested", {{"worker_id", worker_id_}, {"job_id", job->job_id}});
    }
  }
}

void WorkerLoop::onReannounce(uint64_t sequence) {
  // Messages queued while the session was lost (heartbeats, results) each
  // draw a Reannounce. The first one is answered; the rest name messages
  // sent before that hello, which the hello answers already. A hello per
  // Reannounce would replace the session as many times, failing the work
  // assigned to each replaced one.
  if (sequence < hello_sequence_) {
    log::debug("reannounce already answered", {{"worker_id", worker_id_}, {"sequence", sequence}});
    return;
  }
  log::info("broker asked to reannounce", {{"worker_id", worker_id_}});
  // The broker does not know us, so results sent since it last answered
  // may have been dropped: send them again after the hello.
  outbox_.connectionLost();
  sendHello();
  flushOutbox();
}

void WorkerLoop::onError(const wire::Error& error) {
  log::warn("broker reported an error", {{"worker_id", worker_id_},
                                         {"code", wire::ErrorCode_Name(error.code())},
                                         {"error", error.message()}});
}

void WorkerLoop::countBadInput(std::atomic<uint64_t>& counter, const std::string& what) {
  // No reply: answering a confused peer's errors with errors can loop.
  const uint64_t count = counter.fetch_add(1) + 1;
  if (count <= kBadInputLoggedInFull || count % kBadInputLogEvery == 0) {
    log::warn("ignored a bad message from the broker",
              {{"worker_id", worker_id_}, {"reason", what}, {"count", count}});
  }
}

}  // namespace gantry::worker
