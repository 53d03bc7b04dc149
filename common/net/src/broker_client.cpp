#include "gantry/net/broker_client.h"

#include <poll.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "gantry/common/codec.h"
#include "gantry/net/transport.h"
#include "gantry/trace/messaging.h"
#include "send_span.h"

namespace gantry {
namespace {

// Waits until `socket` may have a message or `timeout_ms` passes. REQUIRES:
// the last operation on the socket was a receive that found nothing. That
// receive processed the socket's pending commands, so its ZMQ_FD descriptor
// signals the next arrival and one poll(2) suffices; zmq_poll would ask the
// socket for its events twice more. Interrupted waits (EINTR) report "not
// readable"; the caller re-checks its deadline.
bool waitAfterEmptyReceive(zmq::socket_t& socket, int64_t timeout_ms) {
  try {
    pollfd fd{socket.get(zmq::sockopt::fd), POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(std::min<int64_t>(timeout_ms, INT_MAX))) > 0;
  } catch (const zmq::error_t&) {
    return false;  // the context is shutting down
  }
}

Status replyError(const wire::Envelope& reply) {
  const auto& error = reply.error();
  return {fromWireError(error.code()), error.message()};
}

}  // namespace

Result<BrokerClient> BrokerClient::connect(const BrokerClientOptions& options) {
  auto context = std::make_unique<zmq::context_t>(1);
  auto& ref = *context;
  auto client = connect(ref, options);
  if (!client.isOk()) {
    return client.status();
  }
  client->owned_context_ = std::move(context);
  return client;
}

Result<BrokerClient> BrokerClient::connect(zmq::context_t& context,
                                           const BrokerClientOptions& options) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    applyCommonOptions(socket);
    socket.connect(options.endpoint);
    return BrokerClient(nullptr, std::move(socket), options);
  } catch (const zmq::error_t& e) {
    return invalidArgument("cannot connect to broker endpoint '" + options.endpoint +
                           "': " + e.what() + " (expected e.g. tcp://host:5556 or ipc:///path)");
  }
}

BrokerClient::BrokerClient(std::unique_ptr<zmq::context_t> owned_context, zmq::socket_t socket,
                           BrokerClientOptions options)
    : owned_context_(std::move(owned_context)),
      socket_(std::move(socket)),
      options_(std::move(options)) {}

BrokerClient& BrokerClient::operator=(BrokerClient&& other) noexcept {
  if (this != &other) {
    socket_ = std::move(other.socket_);
    owned_context_ = std::move(other.owned_context_);
    options_ = std::move(other.options_);
    next_correlation_id_ = other.next_correlation_id_;
    undecodable_replies_ = other.undecodable_replies_;
    last_decode_error_ = std::move(other.last_decode_error_);
  }
  return *this;
}

Result<uint64_t> BrokerClient::send(wire::Envelope request) {
  const uint64_t id = next_correlation_id_++;
  request.set_correlation_id(id);
  const std::string encoded = encodeEnvelope(request);
  // The broker's transport drops the connection of a peer that sends more
  // (no reply, only a timeout here), so say it plainly instead.
  if (encoded.size() > kMaxEnvelopeBytes) {
    return invalidArgument(
        "request of " + std::to_string(encoded.size()) + " bytes exceeds the broker's limit of " +
        std::to_string(kMaxEnvelopeBytes) + " bytes per message; send fewer jobs per request");
  }
  if (!sendBody(socket_, encoded)) {
    return unavailable("cannot queue a request to broker at " + options_.endpoint +
                       ": the send queue is full; receive replies before sending more");
  }
  return id;
}

std::optional<wire::Envelope> BrokerClient::receive(std::chrono::milliseconds timeout) {
  return receiveUntil(options_.clock->monoMs() + timeout.count());
}

std::optional<wire::Envelope> BrokerClient::receiveUntil(int64_t deadline_ms) {
  for (;;) {
    std::optional<std::string> bytes = receiveBody(socket_);
    if (!bytes) {
      const int64_t remaining = deadline_ms - options_.clock->monoMs();
      if (remaining <= 0) {
        return std::nullopt;
      }
      waitAfterEmptyReceive(socket_, remaining);
      continue;
    }
    Decoded decoded = decodeEnvelope(*bytes);
    if (decoded.status.isOk()) {
      return std::move(decoded.envelope);
    }
    if (decoded.envelope.correlation_id() != 0) {
      // It is the answer to something we asked; say why it is unusable.
      return makeErrorEnvelope(
          toWireError(decoded.status.code()),
          "unusable reply from broker at " + options_.endpoint + ": " + decoded.status.message(),
          decoded.envelope.correlation_id());
    }
    ++undecodable_replies_;
    last_decode_error_ = decoded.status.message();
  }
}

Result<wire::Envelope> BrokerClient::call(wire::Envelope request,
                                          std::chrono::milliseconds timeout) {
  const int64_t deadline_ms = options_.clock->monoMs() + timeout.count();
  auto id = send(std::move(request));
  if (!id.isOk()) {
    return id.status();
  }
  const uint64_t undecodable_before = undecodable_replies_;
  while (auto reply = receiveUntil(deadline_ms)) {
    const bool is_error = reply->body_case() == wire::Envelope::kError;
    // An error without an id is the broker failing to read a request of
    // ours (ids start at 1); reporting it beats waiting out the timeout.
    if (is_error && reply->correlation_id() == 0) {
      return replyError(*reply);
    }
    if (reply->correlation_id() != *id) {
      continue;  // stale: the answer to an earlier call that timed out
    }
    if (is_error) {
      return replyError(*reply);
    }
    return std::move(*reply);
  }
  std::string message = "no reply from broker at " + options_.endpoint + " within " +
                        std::to_string(timeout.count()) + " ms";
  if (undecodable_replies_ != undecodable_before) {
    message += " (dropped " + std::to_string(undecodable_replies_ - undecodable_before) +
               " undecodable message(s): " + last_decode_error_ + ")";
  }
  return unavailable(std::move(message));
}

Result<wire::Envelope> BrokerClient::callExpecting(wire::Envelope request,
                                                   wire::Envelope::BodyCase expected,
                                                   const char* what) {
  auto reply = call(std::move(request), options_.request_timeout);
  if (!reply.isOk()) {
    return reply.status();
  }
  if (reply->body_case() != expected) {
    return Status(StatusCode::kMalformed, std::string("broker answered a ") + what +
                                              " request with '" + bodyName(*reply) + "'");
  }
  return reply;
}

Result<wire::SubmitReply> BrokerClient::submit(std::vector<wire::JobSpec> specs) {
  trace::Span span =
      options_.tracer != nullptr ? startSendSpan(*options_.tracer, specs) : trace::Span();
  auto reply = submitSpecs(std::move(specs));
  if (!reply.isOk()) {
    span.setError(reply.status().message());
  } else if (reply->ids_size() == 1) {
    trace::setMessageId(span, reply->ids(0));
  }
  return reply;
}

Result<wire::SubmitReply> BrokerClient::submitSpecs(std::vector<wire::JobSpec> specs) {
  wire::Envelope request;
  const size_t count = specs.size();
  auto* jobs = request.mutable_submit()->mutable_jobs();
  jobs->Reserve(static_cast<int>(count));
  for (auto& spec : specs) {
    *jobs->Add() = std::move(spec);
  }
  auto reply = callExpecting(std::move(request), wire::Envelope::kSubmitReply, "submit");
  if (!reply.isOk()) {
    return reply.status();
  }
  wire::SubmitReply out = std::move(*reply->mutable_submit_reply());
  if (static_cast<size_t>(out.ids_size()) != count) {
    return Status(StatusCode::kMalformed, "broker returned " + std::to_string(out.ids_size()) +
                                              " ids for " + std::to_string(count) + " jobs");
  }
  // A broker may leave the flags out when none is set; any other length is
  // a broken reply.
  if (out.duplicate_size() == 0) {
    out.mutable_duplicate()->Resize(out.ids_size(), false);
  } else if (out.duplicate_size() != out.ids_size()) {
    return Status(StatusCode::kMalformed,
                  "broker returned " + std::to_string(out.duplicate_size()) +
                      " duplicate flags for " + std::to_string(count) + " jobs");
  }
  return out;
}

Result<wire::GetReply> BrokerClient::get(uint64_t id, bool with_attempts) {
  wire::Envelope request;
  request.mutable_get()->set_id(id);
  request.mutable_get()->set_with_attempts(with_attempts);
  auto reply = callExpecting(std::move(request), wire::Envelope::kGetReply, "get");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_get_reply());
}

Result<wire::ListReply> BrokerClient::list(const wire::ListRequest& list_request) {
  wire::Envelope request;
  *request.mutable_list() = list_request;
  auto reply = callExpecting(std::move(request), wire::Envelope::kListReply, "list");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_list_reply());
}

Result<wire::IdOutcomesReply> BrokerClient::cancel(const std::vector<uint64_t>& ids) {
  wire::Envelope request;
  request.mutable_cancel()->mutable_ids()->Add(ids.begin(), ids.end());
  auto reply = callExpecting(std::move(request), wire::Envelope::kIdOutcomes, "cancel");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_id_outcomes());
}

Result<wire::IdOutcomesReply> BrokerClient::retry(const std::vector<uint64_t>& ids) {
  wire::Envelope request;
  request.mutable_retry()->mutable_ids()->Add(ids.begin(), ids.end());
  auto reply = callExpecting(std::move(request), wire::Envelope::kIdOutcomes, "retry");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_id_outcomes());
}

Result<wire::StatsReply> BrokerClient::stats() {
  wire::Envelope request;
  request.mutable_stats();
  auto reply = callExpecting(std::move(request), wire::Envelope::kStatsReply, "stats");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_stats_reply());
}

Status BrokerClient::pause(const std::string& queue, bool paused) {
  wire::Envelope request;
  request.mutable_pause()->set_queue(queue);
  request.mutable_pause()->set_paused(paused);
  return callExpecting(std::move(request), wire::Envelope::kPauseReply, "pause").status();
}

Result<wire::WorkersReply> BrokerClient::workers() {
  wire::Envelope request;
  request.mutable_workers();
  auto reply = callExpecting(std::move(request), wire::Envelope::kWorkersReply, "workers");
  if (!reply.isOk()) {
    return reply.status();
  }
  return std::move(*reply->mutable_workers_reply());
}

}  // namespace gantry
