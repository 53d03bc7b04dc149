#include "worker_loop.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "gantry/common/backoff.h"
#include "gantry/common/log.h"

namespace gantry::worker {
namespace {

std::vector<std::string> announcedKinds(const WorkerConfig& config,
                                        const HandlerRegistry& registry) {
  auto kinds = config.kinds.empty() ? registry.kinds() : config.kinds;
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kinds;
}

}  // namespace

WorkerLoop::WorkerLoop(WorkerConfig config, const HandlerRegistry& registry, Clock& clock)
    : config_(std::move(config)),
      registry_(registry),
      clock_(clock),
      worker_id_(config_.worker_id.empty() ? defaultWorkerId() : config_.worker_id),
      host_(hostName()),
      kinds_(announcedKinds(config_, registry)),
      context_(1),
      connection_(context_, config_.broker_endpoint),
      durations_(std::make_unique<HandlerDurations>(kinds_)),
      jobs_(config_.concurrency),
      permits_(
          [this](PermitEvent event) {
            std::visit(
                [this](auto&& e) { events_.push(HandlerEvent(std::forward<decltype(e)>(e))); },
                std::move(event));
          },
          [this](wire::Envelope& envelope) {
            return connection_.isOpen() && connection_.send(envelope);
          }),
      rng_(std::random_device{}()),
      instance_(rng_() | 1),
      pool_(std::make_unique<HandlerPool>(config_.concurrency)) {}

Status WorkerLoop::run() {
  last_turn_mono_ms_.store(clock_.monoMs(), std::memory_order_relaxed);
  log::info("worker starting", {{"worker_id", worker_id_},
                                {"broker", config_.broker_endpoint},
                                {"concurrency", config_.concurrency},
                                {"kinds", kinds_}});
  if (auto status = connect(clock_.now()); !status.isOk()) {
    log::error("worker cannot start", {{"worker_id", worker_id_}, {"error", status.toString()}});
    finish();
    return status;
  }
  for (;;) {
    const Now now = clock_.now();
    onTimers(now);
    if (draining_ && !jobs_.hasUnreported()) {
      break;
    }
    pollOnce(now);
  }
  finish();
  return Status::ok();
}

void WorkerLoop::requestStop() {
  // Only async-signal-safe operations: a lock-free store and write(2).
  stop_requested_.store(true, std::memory_order_release);
  stop_event_.signal();
}

WorkerStats WorkerLoop::stats() const {
  WorkerStats s;
  s.malformed_messages = counters_.malformed_messages.load();
  s.unexpected_messages = counters_.unexpected_messages.load();
  s.reconnects = counters_.reconnects.load();
  s.jobs_started = counters_.jobs_started.load();
  s.jobs_timed_out = counters_.jobs_timed_out.load();
  s.jobs_handed_back = counters_.jobs_handed_back.load();
  s.results_sent = counters_.results_sent.load();
  s.slots = config_.concurrency;
  s.busy_slots = counters_.busy_slots.load();
  s.results_waiting = counters_.results_waiting.load();
  s.connected = counters_.connected.load();
  return s;
}

void WorkerLoop::pollOnce(Now now) {
  // Rebuilt every round: reconnecting replaces the broker socket.
  poll_set_.clear();
  const size_t stop = poll_set_.addFd(stop_event_.fd());
  const size_t handler_events = poll_set_.addFd(events_.fd());
  const bool connected = connection_.isOpen();
  const size_t broker = connected ? poll_set_.addSocket(connection_.socket()) : 0;
  // A signal cuts the wait short; its handler has already raised the flag.
  if (std::string error; !poll_set_.wait(static_cast<int>(pollTimeoutMs(now)), &error)) {
    log::error("poll failed", {{"worker_id", worker_id_}, {"error", error}});
    return;
  }
  if (poll_set_.ready(stop)) {
    stop_event_.clear();  // the flag itself is read in onTimers
  }
  if (poll_set_.ready(handler_events)) {
    drainHandlerEvents();
  }
  if (connected && poll_set_.ready(broker)) {
    receiveAll(clock_.now());
  }
  // For stats(), the metrics and the probes: relaxed stores, once a turn.
  last_turn_mono_ms_.store(now.mono_ms, std::memory_order_relaxed);
  counters_.busy_slots.store(static_cast<uint32_t>(jobs_.busyThreads()), std::memory_order_relaxed);
  counters_.results_waiting.store(outbox_.size(), std::memory_order_relaxed);
  counters_.connected.store(connection_.isOpen() && confirmed_, std::memory_order_relaxed);
}

void WorkerLoop::onTimers(Now now) {
  if (!draining_ && stop_requested_.load(std::memory_order_acquire)) {
    beginDrain(now);
  }
  expireDeadlines(now);
  const TimeMs mono = now.mono_ms;
  if (draining_ && jobs_.hasUnreported() &&
      mono - drain_started_mono_ms_ >= config_.shutdown_grace_ms) {
    handBackRemaining();
  }
  if (connection_.isOpen()) {
    if (mono - last_heard_mono_ms_ >= int64_t{config_.heartbeat_ms} * config_.liveness) {
      dropConnection(now);
    } else if (mono - last_heartbeat_mono_ms_ >= config_.heartbeat_ms) {
      sendHeartbeat(now);
    }
  }
  if (!connection_.isOpen() &&
      mono - disconnected_at_mono_ms_ >= static_cast<int64_t>(reconnect_delay_ms_)) {
    (void)connect(now);  // a failure schedules the next try
  }
}

int64_t WorkerLoop::pollTimeoutMs(Now now) const {
  const int64_t heartbeat = config_.heartbeat_ms;
  const TimeMs mono = now.mono_ms;
  int64_t timeout = heartbeat;
  if (connection_.isOpen()) {
    timeout = std::min(timeout, last_heartbeat_mono_ms_ + heartbeat - mono);
    timeout = std::min(timeout, last_heard_mono_ms_ + heartbeat * config_.liveness - mono);
  } else {
    timeout = std::min(timeout,
                       disconnected_at_mono_ms_ + static_cast<int64_t>(reconnect_delay_ms_) - mono);
  }
  if (auto deadline = jobs_.nextDeadline()) {
    timeout = std::min(timeout, *deadline - mono);
  }
  if (draining_ && jobs_.hasUnreported()) {
    timeout = std::min(timeout, drain_started_mono_ms_ + config_.shutdown_grace_ms - mono);
  }
  // Never longer than a heartbeat, so a fake clock moved by a test is
  // re-read soon.
  return std::clamp<int64_t>(timeout, 0, heartbeat);
}

Status WorkerLoop::connect(Now now) {
  if (auto status = connection_.open(); !status.isOk()) {
    ++reconnect_failures_;
    reconnect_delay_ms_ = backoffDelayMs({config_.reconnect_initial_ms, config_.reconnect_max_ms},
                                         reconnect_failures_, rng_);
    disconnected_at_mono_ms_ = now.mono_ms;
    log::warn("cannot open broker socket", {{"worker_id", worker_id_},
                                            {"error", status.toString()},
                                            {"retry_in_ms", reconnect_delay_ms_}});
    return status;
  }
  confirmed_ = false;
  last_heard_mono_ms_ = now.mono_ms;
  last_heartbeat_mono_ms_ = now.mono_ms;
  sendHello();
  flushOutbox();
  return Status::ok();
}

void WorkerLoop::dropConnection(Now now) {
  connection_.close(std::chrono::milliseconds(0));
  outbox_.connectionLost();
  counters_.reconnects.fetch_add(1);
  ++reconnect_failures_;
  reconnect_delay_ms_ = backoffDelayMs({config_.reconnect_initial_ms, config_.reconnect_max_ms},
                                       reconnect_failures_, rng_);
  disconnected_at_mono_ms_ = now.mono_ms;
  log::warn("broker silent; reconnecting", {{"worker_id", worker_id_},
                                            {"silent_ms", now.mono_ms - last_heard_mono_ms_},
                                            {"retry_in_ms", reconnect_delay_ms_}});
}

void WorkerLoop::heard(Now now) {
  last_heard_mono_ms_ = now.mono_ms;
  if (!confirmed_) {
    confirmed_ = true;
    reconnect_failures_ = 0;
    log::info("broker connected", {{"worker_id", worker_id_}, {"broker", config_.broker_endpoint}});
  }
}

void WorkerLoop::sendHello() {
  wire::Envelope envelope;
  auto* hello = envelope.mutable_hello();
  hello->set_worker_id(worker_id_);
  hello->set_host(host_);
  hello->set_pid(static_cast<uint32_t>(::getpid()));
  for (const auto& kind : kinds_) {
    hello->add_kinds(kind);
    const Handler* handler = registry_.find(kind);
    if (std::vector<std::string> resources = handler->resources(); !resources.empty()) {
      auto* declared = hello->add_kind_resources();
      declared->set_kind(kind);
      for (std::string& resource : resources) {
        declared->add_resources(std::move(resource));
      }
    }
  }
  const uint32_t slots = advertisedSlots();
  hello->set_slots(slots);
  hello->set_instance(instance_);
  for (const RunningJob* job : jobs_.unreported()) {
    auto* held = hello->add_held();
    held->set_job_id(job->job_id);
    held->set_lease(job->lease);
  }
  for (auto& held : outbox_.leases()) {
    *hello->add_held() = std::move(held);
  }
  if (connection_.send(envelope)) {
    last_advertised_ = slots;
  }
  hello_sequence_ = connection_.lastSequence();
  // The broker has no permit requests of this connection yet.
  permits_.resendAll();
  log::debug("hello sent",
             {{"worker_id", worker_id_}, {"slots", slots}, {"held", hello->held_size()}});
}

void WorkerLoop::sendHeartbeat(Now now) {
  wire::Envelope envelope;
  envelope.mutable_heartbeat();
  (void)connection_.send(envelope);
  last_heartbeat_mono_ms_ = now.mono_ms;
  flushOutbox();  // retries results a full send queue refused earlier
}

uint32_t WorkerLoop::advertisedSlots() const { return draining_ ? 0 : jobs_.advertisedSlots(); }

void WorkerLoop::updateCredit() {
  const uint32_t slots = advertisedSlots();
  if (slots == last_advertised_ || !connection_.isOpen()) {
    return;  // when closed, the next hello carries the new value
  }
  wire::Envelope envelope;
  envelope.mutable_credit()->set_slots(slots);
  if (connection_.send(envelope)) {
    last_advertised_ = slots;
    log::debug("credit sent", {{"worker_id", worker_id_}, {"slots", slots}});
  }
}

void WorkerLoop::flushOutbox() {
  if (!connection_.isOpen()) {
    return;
  }
  while (wire::JobResult* result = outbox_.nextUnsent()) {
    wire::Envelope envelope;
    *envelope.mutable_result() = *result;
    if (!connection_.send(envelope)) {
      log::warn("result not sent; will retry",
                {{"worker_id", worker_id_}, {"job_id", result->job_id()}});
      return;
    }
    outbox_.markSent();
    counters_.results_sent.fetch_add(1);
  }
}

void WorkerLoop::finish() {
  const TimeMs started = clock_.monoMs();
  // Results produced while disconnected get one more chance on a fresh
  // socket; whatever does not arrive is recovered by lease expiry.
  if (!outbox_.empty() && !connection_.isOpen()) {
    (void)connect(clock_.now());
  }
  flushOutbox();
  // Only results are worth waiting for; a lost heartbeat or credit costs
  // nothing once we are gone.
  const auto linger = std::chrono::milliseconds(outbox_.empty() ? 0 : config_.flush_timeout_ms);
  connection_.close(linger);
  context_.close();  // waits up to the linger for queued frames to leave
  awaitHandlers(config_.flush_timeout_ms - (clock_.monoMs() - started));
  log::info("worker stopped",
            {{"worker_id", worker_id_}, {"handlers_still_running", jobs_.busyThreads()}});
}

void WorkerLoop::awaitHandlers(int64_t budget_ms) {
  const TimeMs until = clock_.monoMs() + std::max<int64_t>(budget_ms, 0);
  while (jobs_.busyThreads() > 0) {
    const int64_t left = until - clock_.monoMs();
    if (left <= 0) {
      return;
    }
    pollfd events = {events_.fd(), POLLIN, 0};
    (void)::poll(&events, 1, static_cast<int>(left));  // EINTR: re-check the budget
    drainHandlerEvents();
  }
}

}  // namespace gantry::worker
