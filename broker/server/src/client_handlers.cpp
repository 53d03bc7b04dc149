// Decoding and dispatch of client requests, one small handler per type.
#include <algorithm>

#include "gantry/broker/server/broker_server.h"
#include "gantry/common/codec.h"
#include "gantry/common/log.h"

namespace gantry::broker {

void BrokerServer::handleClientMessage(const RoutedMessage& message) {
  Decoded decoded = decodeEnvelope(message.body);
  if (!decoded.status.isOk() || message.extra_frames) {
    if (countRejected(decoded.status.code())) {
      log::warn("rejected client message",
                {{"error",
                  message.extra_frames ? "unexpected extra frames" : decoded.status.toString()}});
    }
    replyError(message.routing_id, decoded.envelope.correlation_id(),
               message.extra_frames
                   ? Status(StatusCode::kMalformed, "expected one frame per message")
                   : decoded.status);
    return;
  }
  const wire::Envelope& env = decoded.envelope;
  const std::string& from = message.routing_id;
  switch (env.body_case()) {
    case wire::Envelope::kSubmit:
      return onSubmit(from, env);
    case wire::Envelope::kGet:
      return onGet(from, env);
    case wire::Envelope::kList:
      return onList(from, env);
    case wire::Envelope::kCancel:
      return onCancel(from, env);
    case wire::Envelope::kRetry:
      return onRetry(from, env);
    case wire::Envelope::kStats:
      return onStats(from, env);
    case wire::Envelope::kPause:
      return onPause(from, env);
    case wire::Envelope::kWorkers:
      return onWorkers(from, env);
    default: {
      if (countRejected(StatusCode::kUnknownMessage)) {
        log::warn("unexpected message on the client socket", {{"body", bodyName(env)}});
      }
      replyNow(from, makeErrorEnvelope(wire::UNKNOWN_MESSAGE,
                                       std::string("clients may not send ") + bodyName(env),
                                       env.correlation_id()));
      return;
    }
  }
}

void BrokerServer::onSubmit(const std::string& from, const wire::Envelope& request) {
  if (committer_->backlog() > config_.max_write_backlog) {
    metrics_.submitRejected(StatusCode::kUnavailable, request.submit().jobs_size());
    replyError(from, request.correlation_id(),
               unavailable("the database is behind by " + std::to_string(committer_->backlog()) +
                           " writes; retry later"));
    return;
  }
  std::vector<trace::Span> spans = tracing_.startEnqueue(request.submit());
  auto submitted = core_->submit(request.submit(), clock_.now());
  if (!submitted.isOk()) {
    metrics_.submitRejected(submitted.status().code(), request.submit().jobs_size());
    BrokerTracing::refused(spans, submitted.status().message());
    replyError(from, request.correlation_id(), submitted.status());
    return;
  }
  BrokerTracing::accepted(spans, submitted.value());
  wire::Envelope reply;
  reply.set_correlation_id(request.correlation_id());
  *reply.mutable_submit_reply() = std::move(submitted.value());
  replyWhenDurable({from, std::move(reply), false, std::move(spans)});
}

void BrokerServer::onGet(const std::string& from, const wire::Envelope& request) {
  if (!request.get().with_attempts()) {
    if (auto job = core_->findActive(request.get().id())) {
      wire::Envelope reply;
      reply.set_correlation_id(request.correlation_id());
      *reply.mutable_get_reply()->mutable_job() = std::move(*job);
      replyNow(from, std::move(reply));
      return;
    }
  }
  reader_->submit({from, request});
}

void BrokerServer::onList(const std::string& from, const wire::Envelope& request) {
  reader_->submit({from, request});
}

void BrokerServer::onCancel(const std::string& from, const wire::Envelope& request) {
  wire::Envelope reply;
  reply.set_correlation_id(request.correlation_id());
  *reply.mutable_id_outcomes() = core_->cancel(request.cancel(), clock_.now());
  // Ids the core does not hold are final or unknown; the store tells which.
  const auto& outcomes = reply.id_outcomes().outcomes();
  const bool resolve = std::any_of(outcomes.begin(), outcomes.end(), [](const auto& outcome) {
    return outcome.code() == wire::NOT_FOUND;
  });
  replyWhenDurable({from, std::move(reply), resolve});
}

void BrokerServer::onRetry(const std::string& from, const wire::Envelope& request) {
  if (request.retry().ids_size() == 0) {
    replyError(from, request.correlation_id(), invalidArgument("retry needs at least one job id"));
    return;
  }
  std::vector<uint64_t> ids(request.retry().ids().begin(), request.retry().ids().end());
  // Writes made so far must reach the committer first (the job may have
  // died in this very round).
  flushEffects();
  committer_->submitRevive(std::move(ids), core_->queueRoom(), {from, request.correlation_id()});
}

void BrokerServer::onStats(const std::string& from, const wire::Envelope& request) {
  wire::Envelope reply;
  reply.set_correlation_id(request.correlation_id());
  *reply.mutable_stats_reply() = core_->stats(clock_.now());
  reply.mutable_stats_reply()->set_rejected_total(
      counters_.malformed + counters_.unsupported_version + counters_.unknown_message);
  reply.mutable_stats_reply()->set_broker(owner_.holder);
  reply.mutable_stats_reply()->set_owner_epoch(owner_.epoch);
  reply.mutable_stats_reply()->set_owner_since_ms(owner_.acquired_at_ms);
  replyNow(from, std::move(reply));
}

void BrokerServer::onPause(const std::string& from, const wire::Envelope& request) {
  const auto& pause = request.pause();
  if (Status s = core_->setPaused(pause.queue(), pause.paused(), clock_.now()); !s.isOk()) {
    replyError(from, request.correlation_id(), s);
    return;
  }
  log::info(pause.paused() ? "queue paused" : "queue resumed", {{"queue", pause.queue()}});
  wire::Envelope reply;
  reply.set_correlation_id(request.correlation_id());
  reply.mutable_pause_reply();
  replyWhenDurable({from, std::move(reply)});
}

void BrokerServer::onWorkers(const std::string& from, const wire::Envelope& request) {
  wire::Envelope reply;
  reply.set_correlation_id(request.correlation_id());
  *reply.mutable_workers_reply() = core_->workers(clock_.now());
  replyNow(from, std::move(reply));
}

}  // namespace gantry::broker
