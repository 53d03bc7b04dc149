// Drives a BrokerCore by hand: fake time (tests/fakes/fake_clock.h),
// workers as routing ids, and the effects it produced, decoded into what a
// test wants to assert on.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "gantry/broker/core/broker_core.h"

namespace gantry::broker::testing {

struct Assigned {
  std::string routing_id;
  uint64_t job_id = 0;
  uint64_t lease = 0;
  std::string kind;
};

class CoreHarness {
 public:
  explicit CoreHarness(BrokerConfig config = {}) : config_(std::move(config)), core_(config_, 42) {}

  BrokerCore& core() { return core_; }
  BrokerConfig& config() { return config_; }
  test::FakeClock& clock() { return clock_; }
  Now now() const { return clock_.now(); }
  TimeMs wall() const { return clock_.wallMs(); }
  // Moves time forward in steps; workers not silenced keep heartbeating.
  void advance(TimeMs ms) {
    const TimeMs step = std::max<TimeMs>(1, config_.heartbeat_ms / 2);
    for (TimeMs left = ms; left > 0;) {
      const TimeMs delta = std::min(left, step);
      clock_.advance(delta);
      left -= delta;
      for (const auto& routing_id : alive_) {
        core_.onHeartbeat({routing_id}, now());
      }
      core_.tick(now());
      collect();
    }
  }
  // Steps the wall clock only, as NTP or a resumed VM does, and ticks.
  void stepWall(TimeMs ms) {
    clock_.stepWall(ms);
    core_.tick(now());
    collect();
  }
  // The worker stops heartbeating (as if killed).
  void silence(const std::string& routing_id) { alive_.erase(routing_id); }

  wire::JobSpec spec(const std::string& kind, int priority = 0, const std::string& key = "") {
    wire::JobSpec s;
    s.set_kind(kind);
    s.set_priority(priority);
    s.set_concurrency_key(key);
    return s;
  }

  // Rebuilds the core from stored rows, as a restarted broker does: the
  // running ones first, each group by id (PgStore::recover's order).
  void restore(std::vector<JobRow> rows, uint64_t max_job_id) {
    std::stable_sort(rows.begin(), rows.end(), [](const JobRow& a, const JobRow& b) {
      const bool a_running = a.status.state == wire::RUNNING;
      const bool b_running = b.status.state == wire::RUNNING;
      return a_running != b_running ? a_running : a.id < b.id;
    });
    RecoveredState state;
    state.max_job_id = max_job_id;
    core_.beginRestore(state, now());
    for (const JobRow& row : rows) {
      core_.restoreJob(row, now());
    }
    collect();
  }

  // Submits one job; fails the test when refused.
  uint64_t submit(const wire::JobSpec& spec) {
    wire::SubmitRequest request;
    *request.add_jobs() = spec;
    auto reply = core_.submit(request, now());
    collect();
    EXPECT_TRUE(reply.isOk()) << reply.status().toString();
    return reply.isOk() ? reply->ids(0) : 0;
  }

  Result<wire::SubmitReply> submitMany(const std::vector<wire::JobSpec>& specs) {
    wire::SubmitRequest request;
    for (const auto& s : specs) {
      *request.add_jobs() = s;
    }
    auto reply = core_.submit(request, now());
    collect();
    return reply;
  }

  void hello(const std::string& routing_id, uint32_t slots, const std::vector<std::string>& kinds,
             const std::vector<std::pair<uint64_t, uint64_t>>& held = {}, uint64_t instance = 0) {
    wire::WorkerHello h;
    h.set_worker_id(routing_id);
    h.set_instance(instance);
    h.set_slots(slots);
    for (auto& k : kinds) {
      h.add_kinds(k);
    }
    for (auto [job, lease] : held) {
      auto* l = h.add_held();
      l->set_job_id(job);
      l->set_lease(lease);
    }
    core_.onHello({routing_id}, h, now());
    alive_.insert(routing_id);
    collect();
  }

  // A hello as given (e.g. with kind_resources); the worker heartbeats.
  void helloWith(const wire::WorkerHello& hello) {
    core_.onHello({hello.worker_id()}, hello, now());
    alive_.insert(hello.worker_id());
    collect();
  }

  // Collects the effects of core calls a test made directly.
  void settle() { collect(); }

  void result(const Assigned& a, wire::Outcome outcome, const std::string& error = "") {
    wire::JobResult r;
    r.set_job_id(a.job_id);
    r.set_lease(a.lease);
    r.set_outcome(outcome);
    r.set_error(error);
    core_.onResult({a.routing_id}, r, now());
    collect();
  }

  void heartbeat(const std::string& routing_id) {
    core_.onHeartbeat({routing_id}, now());
    collect();
  }

  // The connection closed; returns what the core answers.
  std::optional<std::string> disconnect(const std::string& routing_id) {
    alive_.erase(routing_id);
    auto worker_id = core_.onDisconnected(routing_id, now());
    collect();
    return worker_id;
  }

  // Assignments produced since the last call, oldest first.
  std::vector<Assigned> takeAssigned() { return std::exchange(assigned_, {}); }
  std::vector<WorkerMessage> takeOtherMessages() { return std::exchange(other_, {}); }
  // Every write batch produced so far, merged.
  const std::vector<JobTransition>& transitions() const { return transitions_; }
  const std::vector<AttemptRow>& attempts() const { return attempts_; }
  const std::vector<JobRow>& inserts() const { return inserts_; }

  // The last recorded state of a job.
  wire::JobState lastState(uint64_t id) const {
    wire::JobState state = wire::JOB_STATE_UNSPECIFIED;
    for (const auto& row : inserts_) {
      if (row.id == id) {
        state = row.status.state;
      }
    }
    for (const auto& t : transitions_) {
      if (t.id == id) {
        state = t.status.state;
      }
    }
    return state;
  }

 private:
  void collect() {
    Effects effects = core_.takeEffects();
    for (auto& m : effects.to_workers) {
      if (m.envelope.has_assign()) {
        const auto& a = m.envelope.assign();
        assigned_.push_back({m.routing_id, a.job().id(), a.lease(), a.job().spec().kind()});
      } else if (!m.envelope.has_heartbeat()) {
        other_.push_back(std::move(m));
      }
    }
    for (const auto& row : effects.writes.inserts()) {
      inserts_.push_back(row);
    }
    for (const auto& t : effects.writes.transitions()) {
      transitions_.push_back(t);
    }
    for (const auto& a : effects.writes.attempts()) {
      attempts_.push_back(a);
    }
  }

  BrokerConfig config_;
  test::FakeClock clock_;
  BrokerCore core_;
  std::set<std::string> alive_;
  std::vector<Assigned> assigned_;
  std::vector<WorkerMessage> other_;
  std::vector<JobRow> inserts_;
  std::vector<JobTransition> transitions_;
  std::vector<AttemptRow> attempts_;
};

}  // namespace gantry::broker::testing
