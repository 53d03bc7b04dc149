// The client side of the broker's client endpoint (submit, query, cancel,
// retry, pause, stats, workers): one DEALER socket, request/reply matched by
// correlation id. Used by gantryctl, applications, the benchmark and the
// integration tests.
//
// Thread-safety: none. A BrokerClient owns a ZeroMQ socket, and sockets are
// never shared between threads; give each thread its own client.
//
// Delivery: a request is queued by ZeroMQ until the connection is up, so a
// call that times out has an unknown outcome: the broker may still receive
// and apply it later. Its reply, if any, is recognised as stale by its
// correlation id and dropped. Submits that must not double should carry a
// unique key, which makes resending them harmless.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/trace/tracer.h"

namespace gantry {

inline constexpr const char* kDefaultClientEndpoint = "tcp://127.0.0.1:5556";

struct BrokerClientOptions {
  // The broker's client ROUTER endpoint.
  std::string endpoint = kDefaultClientEndpoint;
  // How long the typed helpers wait for a reply. Long enough for a group
  // commit under load; short enough that a dead broker is reported promptly.
  std::chrono::milliseconds request_timeout{5000};
  // Measures the timeouts (monotonic time); must outlive the client.
  const Clock* clock = &SystemClock::instance();
  // Records a send span per submit and stamps its context on the jobs
  // (submit()); null: jobs keep whatever traceparent they carry. Not owned;
  // must outlive the client.
  trace::Tracer* tracer = nullptr;
};

class BrokerClient {
 public:
  // Connects a DEALER socket to options.endpoint. ZeroMQ connects in the
  // background, so success says nothing about whether a broker listens; the
  // first call that gets no reply does. Fails with kInvalidArgument for an
  // endpoint ZeroMQ cannot parse.
  // The first form owns a private ZeroMQ context; the second uses `context`,
  // which must outlive the client.
  static Result<BrokerClient> connect(const BrokerClientOptions& options);
  static Result<BrokerClient> connect(zmq::context_t& context, const BrokerClientOptions& options);

  BrokerClient(BrokerClient&&) noexcept = default;
  // Not defaulted: the old socket must close before its context is released,
  // or terminating the context would wait for it forever.
  BrokerClient& operator=(BrokerClient&& other) noexcept;
  BrokerClient(const BrokerClient&) = delete;
  BrokerClient& operator=(const BrokerClient&) = delete;
  ~BrokerClient() = default;

  const std::string& endpoint() const { return options_.endpoint; }

  // One request/reply round trip. Stamps a fresh correlation id into
  // `request`, sends it and waits up to `timeout` for the reply carrying that
  // id; replies with other ids (answers to calls that timed out earlier, or
  // to pipelined sends) are dropped. An Error reply becomes its Status
  // (fromWireError); so does an Error with correlation id 0, which is how the
  // broker answers a request it could not read. No reply in time is
  // kUnavailable "no reply from broker at <endpoint> within N ms". On
  // success the reply envelope is returned whatever its body; the typed
  // helpers below also check the body type.
  // REQUIRES: no pipelined send() is awaiting its reply (call() would drop it).
  Result<wire::Envelope> call(wire::Envelope request, std::chrono::milliseconds timeout);

  // Pipelining, for load tools: send() stamps a fresh correlation id, queues
  // the request without blocking and returns that id; kUnavailable when
  // ZeroMQ's send queue is full, kInvalidArgument for a request larger than
  // kMaxEnvelopeBytes (nothing is sent). receive() returns the next reply within
  // `timeout`, in arrival order (which need not be send order), or nullopt
  // when nothing arrived. Error replies are returned as envelopes with an
  // `error` body; a reply that does not decode but names its correlation id
  // is turned into such an error envelope; one without an id is dropped.
  Result<uint64_t> send(wire::Envelope request);
  std::optional<wire::Envelope> receive(std::chrono::milliseconds timeout);

  // Typed helpers, each one call() with options.request_timeout. A reply of
  // the wrong type is kMalformed.
  // submit: the specs must fit in one envelope (kMaxEnvelopeBytes), else
  // kInvalidArgument and nothing is sent; split large batches. The reply has
  // one id per spec, in order. With options.tracer, records the send span
  // (send_span.h) and stamps its context on the jobs.
  Result<wire::SubmitReply> submit(std::vector<wire::JobSpec> specs);
  Result<wire::GetReply> get(uint64_t id, bool with_attempts);
  Result<wire::ListReply> list(const wire::ListRequest& request);
  Result<wire::IdOutcomesReply> cancel(const std::vector<uint64_t>& ids);
  Result<wire::IdOutcomesReply> retry(const std::vector<uint64_t>& ids);
  Result<wire::StatsReply> stats();
  Status pause(const std::string& queue, bool paused);
  Result<wire::WorkersReply> workers();

 private:
  BrokerClient(std::unique_ptr<zmq::context_t> owned_context, zmq::socket_t socket,
               BrokerClientOptions options);

  // The next decodable reply before `deadline_ms` (monotonic), see receive().
  std::optional<wire::Envelope> receiveUntil(int64_t deadline_ms);
  // call() with the default timeout, and a check that the reply body is
  // `expected`; `what` names the request in error messages.
  Result<wire::Envelope> callExpecting(wire::Envelope request, wire::Envelope::BodyCase expected,
                                       const char* what);

  // submit() without its send span.
  Result<wire::SubmitReply> submitSpecs(std::vector<wire::JobSpec> specs);

  // Declared before socket_ so that the socket closes first.
  std::unique_ptr<zmq::context_t> owned_context_;
  zmq::socket_t socket_;
  BrokerClientOptions options_;
  uint64_t next_correlation_id_ = 1;
  // Replies dropped because they did not decode; reported on timeout since
  // they usually mean a protocol mismatch rather than a dead broker.
  uint64_t undecodable_replies_ = 0;
  std::string last_decode_error_;
};

}  // namespace gantry
