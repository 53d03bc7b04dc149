// Rate-limited resources: permit requests and cancels, what calls came to,
// and the circuit-breaker gate's declarations (resource_table.h).
#include "gantry/broker/core/broker_core.h"

namespace gantry::broker {

void BrokerCore::onPermitRequest(Sender from, const wire::PermitRequest& request, Now now) {
  const WorkerSession* worker = sessionFor(from, now);
  if (worker == nullptr) {
    return;  // asked to re-announce; the worker asks again after its hello
  }
  resources_.request(worker->id, request, now);
  sendPermitAnswers();
}

void BrokerCore::onPermitCancel(Sender from, const wire::PermitCancel& cancel, Now now) {
  if (const WorkerSession* worker = sessionFor(from, now)) {
    resources_.cancel(worker->id, cancel.request_id());
  }
}

void BrokerCore::onResourceReport(Sender from, const wire::ResourceReport& report, Now now) {
  if (sessionFor(from, now) == nullptr) {
    return;
  }
  const bool closed =
      resources_.report(report.resource(), report.signal(), report.retry_after_ms(), now);
  sendPermitAnswers();  // an opened circuit refuses whoever waited
  if (closed) {
    dispatch(now);
  }
}

void BrokerCore::advanceResources(Now now) {
  const bool half_opened = resources_.advance(now);
  sendPermitAnswers();
  if (half_opened) {
    dispatch(now);
  }
}

void BrokerCore::sendPermitAnswers() {
  for (PermitAnswer& answer : resources_.takeAnswers()) {
    const WorkerSession* worker = sessions_.byId(answer.session_id);
    if (worker == nullptr) {
      continue;
    }
    wire::Envelope env;
    auto* grant = env.mutable_permit_grant();
    grant->set_request_id(answer.request_id);
    grant->set_granted(answer.status.isOk());
    if (!answer.status.isOk()) {
      grant->set_error(answer.status.message());
      grant->set_code(answer.status.code() == StatusCode::kUnavailable ? wire::UNAVAILABLE
                                                                       : wire::INVALID_ARGUMENT);
    }
    sendToWorker(*worker, std::move(env));
  }
}

void BrokerCore::declareResources(const wire::WorkerHello& hello) {
  for (const wire::KindResources& declared : hello.kind_resources()) {
    if (declared.kind().empty() || declared.resources_size() == 0) {
      continue;
    }
    const std::vector<std::string> names(declared.resources().begin(), declared.resources().end());
    circuit_gate_->declare(names_.intern(declared.kind()), names);
  }
}

}  // namespace gantry::broker
