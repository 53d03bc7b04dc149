// Test harness for the worker: a fake broker (a raw ROUTER socket the test
// drives by hand), a runner that hosts gantry::worker::Worker on a thread,
// controllable handlers and a manual clock. Tests wait on events with a
// generous deadline; nothing here sleeps to synchronise.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "fakes/fake_clock.h"
#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/common/codec.h"
#include "gantry/net/transport.h"
#include "gantry/worker/builtin_handlers.h"
#include "gantry/worker/handler_registry.h"
#include "gantry/worker/worker.h"

namespace gantry::worker::testing {

// How long a test waits for something that should happen "now". Generous so
// that a loaded CI machine does not flake; never asserted on.
inline constexpr std::chrono::milliseconds kEventWait{5000};

using Body = wire::Envelope::BodyCase;

// A point kEventWait ahead, for loops that look at several messages: the
// whole loop, not each step, gets the generous wait, so a broken worker that
// keeps talking still fails in bounded time.
class Deadline {
 public:
  Deadline() : until_(std::chrono::steady_clock::now() + kEventWait) {}
  std::chrono::milliseconds left() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until_ - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }

 private:
  std::chrono::steady_clock::time_point until_;
};

struct Received {
  std::string routing_id;
  wire::Envelope envelope;
};

// The broker end of the wire, bound before the worker connects.
class FakeBroker {
 public:
  explicit FakeBroker(const std::string& endpoint = "tcp://127.0.0.1:*")
      : context_(std::make_unique<zmq::context_t>(1)),
        socket_(std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::router)) {
    applyCommonOptions(*socket_);
    endpoint_ = bindResolved(*socket_, endpoint);
  }

  const std::string& endpoint() const { return endpoint_; }

  // The next decodable message, or nullopt when none arrives within `wait`.
  // Undecodable frames fail the test: the worker must only send valid ones.
  std::optional<Received> next(std::chrono::milliseconds wait = kEventWait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (auto routed = receiveRouted(*socket_)) {
        Decoded decoded = decodeEnvelope(routed->body);
        EXPECT_TRUE(decoded.status.isOk()) << decoded.status.toString();
        return Received{routed->routing_id, std::move(decoded.envelope)};
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return std::nullopt;
      }
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, left);
    }
  }

  // The next message that is not a heartbeat.
  std::optional<Received> nextNonHeartbeat(std::chrono::milliseconds wait = kEventWait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      auto received = next(std::max(left, std::chrono::milliseconds(0)));
      if (!received || received->envelope.body_case() != Body::kHeartbeat) {
        return received;
      }
    }
  }

  // The next message with `body`, skipping any others.
  std::optional<Received> nextOf(Body body, std::chrono::milliseconds wait = kEventWait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      auto received = next(std::max(left, std::chrono::milliseconds(0)));
      if (!received || received->envelope.body_case() == body) {
        return received;
      }
    }
  }

  void send(const std::string& to, wire::Envelope envelope) {
    ASSERT_TRUE(sendRouted(*socket_, to, envelope));
  }

  void sendRaw(const std::string& to, const std::string& bytes) {
    socket_->send(zmq::buffer(to), zmq::send_flags::sndmore);
    socket_->send(zmq::buffer(bytes), zmq::send_flags::none);
  }

  // Closes the socket and terminates the context, which returns only when
  // the listener is gone: the port can be bound again right after.
  void close() {
    socket_.reset();
    context_.reset();
  }

 private:
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::string endpoint_;
};

// A handler that blocks until the test opens its gate (or, if it honours
// cancellation, until its token fires), then returns a preset result.
class GateHandler final : public Handler {
 public:
  GateHandler(HandlerResult on_open, bool honours_cancel)
      : on_open_(std::move(on_open)), honours_cancel_(honours_cancel) {}

  HandlerResult run(JobContext& ctx) override {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    while (!open_) {
      if (honours_cancel_ && ctx.isCancelled()) {
        last_cancel_ = ctx.cancelToken().reason();
        return HandlerResult::cancelled("gate: cancelled");
      }
      // The token has no callback, so look again now and then; this is the
      // handler's own pacing, not test synchronisation.
      changed_.wait_for(lock, std::chrono::milliseconds(5));
    }
    last_cancel_ = ctx.cancelToken().reason();
    return on_open_;
  }

  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }

  // Waits until `count` calls have entered run().
  bool waitEntered(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kEventWait, [&] { return entered_ >= count; });
  }

  CancelReason lastCancel() {
    std::lock_guard lock(mutex_);
    return last_cancel_;
  }

 private:
  const HandlerResult on_open_;
  const bool honours_cancel_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;                                 // GUARDED_BY(mutex_)
  bool open_ = false;                               // GUARDED_BY(mutex_)
  CancelReason last_cancel_ = CancelReason::kNone;  // GUARDED_BY(mutex_)
};

// Hosts a Worker on its own thread, as main would.
class WorkerRunner {
 public:
  WorkerRunner(WorkerConfig config, const HandlerRegistry& registry, Clock& clock)
      : worker_(std::move(config), registry, clock) {
    std::promise<Status> done;
    done_ = done.get_future();
    thread_ =
        std::thread([this, done = std::move(done)]() mutable { done.set_value(worker_.run()); });
  }

  ~WorkerRunner() {
    worker_.requestStop();
    thread_.join();
  }

  Worker& worker() { return worker_; }

  // Waits for run() to return after a stop; nullopt if it did not in time.
  std::optional<Status> waitStopped() {
    if (done_.wait_for(kEventWait) != std::future_status::ready) {
      return std::nullopt;
    }
    return done_.get();
  }

 private:
  Worker worker_;
  std::future<Status> done_;
  std::thread thread_;
};

// Common fixture: a fake broker, the built-in handlers plus test handlers,
// and helpers to start a worker and build broker messages.
class WorkerHarnessTest : public ::testing::Test {
 protected:
  WorkerHarnessTest() {
    // Quiet unless asked: the tests assert on messages, not on logs.
    if (std::getenv("GANTRY_TEST_LOGS") == nullptr) {
      spdlog::set_level(spdlog::level::off);
    }
    EXPECT_TRUE(addBuiltinHandlers(registry_).isOk());
    auto gate = std::make_unique<GateHandler>(HandlerResult::succeeded("opened"), true);
    gate_ = gate.get();
    EXPECT_TRUE(registry_.add("gate", std::move(gate)).isOk());
    auto stubborn =
        std::make_unique<GateHandler>(HandlerResult::retryable("stubborn: failed"), false);
    stubborn_ = stubborn.get();
    EXPECT_TRUE(registry_.add("stubborn", std::move(stubborn)).isOk());
  }

  ~WorkerHarnessTest() override {
    // Let blocked handlers go so the worker's threads can be joined.
    gate_->open();
    stubborn_->open();
    runner_.reset();
  }

  // Defaults for tests: liveness far beyond any test so that only the
  // liveness tests ever reconnect; short grace and flush for fast teardown.
  WorkerConfig config() const {
    WorkerConfig c;
    c.broker_endpoint = broker_->endpoint();
    c.concurrency = 2;
    c.worker_id = "test-worker";
    c.heartbeat_ms = 1000;
    c.liveness = 600;
    c.shutdown_grace_ms = 200;
    c.reconnect_initial_ms = 10;
    c.reconnect_max_ms = 50;
    c.flush_timeout_ms = 500;
    c.log_level = "off";
    return c;
  }

  // Starts the worker and returns its hello; the routing id is kept in
  // route_ for replies. Tests that move time by hand pass manual_clock_.
  // REQUIRES: `clock` outlives runner_. A clock that is a member of a
  // derived fixture does not: it is destroyed before this destructor stops
  // the worker, whose thread still reads it on the way out.
  wire::WorkerHello start(WorkerConfig c, Clock& clock = SystemClock::instance()) {
    EXPECT_TRUE(validateConfig(c, registry_).isOk());
    runner_ = std::make_unique<WorkerRunner>(std::move(c), registry_, clock);
    auto hello = broker_->nextOf(Body::kHello);
    EXPECT_TRUE(hello.has_value()) << "no hello from the worker";
    if (!hello) {
      return {};
    }
    route_ = hello->routing_id;
    hello_sequence_ = hello->envelope.correlation_id();
    return hello->envelope.hello();
  }

  static wire::Envelope assign(uint64_t job_id, uint64_t lease, const std::string& kind,
                               const std::string& payload = {}, uint32_t attempt = 1,
                               uint32_t timeout_ms = 0) {
    wire::Envelope envelope;
    auto* body = envelope.mutable_assign();
    body->mutable_job()->set_id(job_id);
    body->mutable_job()->set_attempt(attempt);
    body->mutable_job()->mutable_spec()->set_kind(kind);
    body->mutable_job()->mutable_spec()->set_payload(payload);
    body->mutable_job()->mutable_spec()->set_timeout_ms(timeout_ms);
    body->set_lease(lease);
    return envelope;
  }

  static wire::Envelope cancelJob(uint64_t job_id, uint64_t lease) {
    wire::Envelope envelope;
    envelope.mutable_cancel_job()->set_job_id(job_id);
    envelope.mutable_cancel_job()->set_lease(lease);
    return envelope;
  }

  static wire::Envelope heartbeat() {
    wire::Envelope envelope;
    envelope.mutable_heartbeat();
    return envelope;
  }

  // The next JobResult, skipping heartbeats only; fails on anything else.
  wire::JobResult nextResult() {
    auto received = broker_->nextNonHeartbeat();
    EXPECT_TRUE(received.has_value()) << "no result from the worker";
    if (!received) {
      return {};
    }
    EXPECT_EQ(received->envelope.body_case(), Body::kResult)
        << "got " << bodyName(received->envelope) << " instead of a result";
    return received->envelope.result();
  }

  // Sends an assign and returns the result it produces.
  wire::JobResult runJob(uint64_t job_id, const std::string& kind, const std::string& payload = {},
                         uint32_t attempt = 1) {
    broker_->send(route_, assign(job_id, job_id * 10, kind, payload, attempt));
    return nextResult();
  }

  std::unique_ptr<FakeBroker> broker_ = std::make_unique<FakeBroker>();
  test::FakeClock manual_clock_;  // declared before runner_, so it outlives the worker
  HandlerRegistry registry_;
  GateHandler* gate_ = nullptr;      // honours cancel, succeeds when opened
  GateHandler* stubborn_ = nullptr;  // ignores cancel, RETRYABLE when opened
  std::unique_ptr<WorkerRunner> runner_;
  std::string route_;
  uint64_t hello_sequence_ = 0;  // of the hello start() received
};

}  // namespace gantry::worker::testing
