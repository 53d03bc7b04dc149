#include "permit_client.h"

#include <utility>

#include "gantry/common/utf8.h"

namespace gantry::worker {
namespace {

// Resource names are identifiers; longer text is someone's mistake.
constexpr size_t kMaxResourceNameBytes = 200;

}  // namespace

Status PermitClient::acquire(const JobInfo& job, CancelToken& token, std::string_view resource,
                             uint32_t count) {
  if (resource.empty() || resource.size() > kMaxResourceNameBytes || !isValidUtf8(resource)) {
    return invalidArgument("resource name must be 1.." + std::to_string(kMaxResourceNameBytes) +
                           " bytes of UTF-8");
  }
  if (count == 0) {
    return invalidArgument("permit count must be at least 1");
  }
  auto permit = std::make_shared<PendingPermit>();
  permit->request_id = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  permit->job_id = job.job_id;
  permit->lease = job.lease;
  permit->resource = std::string(resource);
  permit->count = count;
  permit->token = &token;
  if (token.isCancelled()) {
    return Status(StatusCode::kUnavailable,
                  std::string("attempt ") + cancelReasonName(token.reason()) +
                      " before asking for resource '" + permit->resource + "'");
  }
  post_(PermitAsk{permit});
  if (token.waitUntil([&] { return permit->done.load(std::memory_order_acquire); })) {
    return permit->status;
  }
  post_(PermitAbandon{permit->request_id});
  return Status(StatusCode::kUnavailable,
                std::string("attempt ") + cancelReasonName(token.reason()) +
                    " while waiting for resource '" + permit->resource + "'");
}

void PermitClient::report(std::string_view resource, wire::ResourceSignal signal,
                          uint64_t retry_after_ms) {
  if (resource.empty() || resource.size() > kMaxResourceNameBytes || !isValidUtf8(resource)) {
    return;
  }
  post_(ResourceNote{std::string(resource), signal, retry_after_ms});
}

void PermitClient::onEvent(PermitEvent&& event) {
  if (auto* ask = std::get_if<PermitAsk>(&event)) {
    const PendingPermit& permit = *ask->permit;
    in_flight_.emplace(permit.request_id, std::move(ask->permit));
    sendRequest(permit);
  } else if (auto* abandon = std::get_if<PermitAbandon>(&event)) {
    if (in_flight_.erase(abandon->request_id) > 0) {
      wire::Envelope envelope;
      envelope.mutable_permit_cancel()->set_request_id(abandon->request_id);
      (void)send_(envelope);
    }
  } else {
    auto& note = std::get<ResourceNote>(event);
    wire::Envelope envelope;
    auto* body = envelope.mutable_resource_report();
    body->set_resource(std::move(note.resource));
    body->set_signal(note.signal);
    body->set_retry_after_ms(note.retry_after_ms);
    // Advisory: a report that finds no connection is dropped.
    (void)send_(envelope);
  }
}

void PermitClient::onGrant(const wire::PermitGrant& grant) {
  auto it = in_flight_.find(grant.request_id());
  if (it == in_flight_.end()) {
    return;  // abandoned meanwhile
  }
  std::shared_ptr<PendingPermit> permit = std::move(it->second);
  in_flight_.erase(it);
  if (grant.granted()) {
    permit->status = Status::ok();
  } else {
    permit->status = Status(
        grant.code() == wire::UNAVAILABLE ? StatusCode::kUnavailable : StatusCode::kInvalidArgument,
        grant.error());
  }
  permit->done.store(true, std::memory_order_release);
  permit->token->notify();
}

void PermitClient::resendAll() {
  for (const auto& [id, permit] : in_flight_) {
    sendRequest(*permit);
  }
}

void PermitClient::sendRequest(const PendingPermit& permit) {
  wire::Envelope envelope;
  auto* body = envelope.mutable_permit_request();
  body->set_request_id(permit.request_id);
  body->set_resource(permit.resource);
  body->set_count(permit.count);
  body->set_job_id(permit.job_id);
  body->set_lease(permit.lease);
  // Without a connection it waits; resendAll() sends it after the hello.
  (void)send_(envelope);
}

}  // namespace gantry::worker
