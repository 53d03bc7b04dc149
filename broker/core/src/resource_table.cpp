#include "gantry/broker/core/resource_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gantry::broker {
namespace {

// Token counts are doubles; a grant needs the whole count, give or take
// rounding.
constexpr double kEpsilon = 1e-9;

std::string formatRate(double per_s) {
  char text[32];
  std::snprintf(text, sizeof text, "%g/s", per_s);
  return text;
}

}  // namespace

const char* circuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "closed";
    case CircuitState::kOpen:
      return "open";
    case CircuitState::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

ResourceTable::ResourceTable(const BrokerConfig& config) {
  for (const auto& [name, limit] : config.resources) {  // std::map: sorted by name
    Resource resource;
    resource.name = name;
    resource.limit = limit;
    resource.rate_per_s = limit.rate_per_s;
    resource.tokens = limit.burst;
    resources_.push_back(std::move(resource));
  }
}

std::optional<uint32_t> ResourceTable::find(std::string_view name) const {
  auto it = std::lower_bound(resources_.begin(), resources_.end(), name,
                             [](const Resource& r, std::string_view n) { return r.name < n; });
  if (it == resources_.end() || it->name != name) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(it - resources_.begin());
}

void ResourceTable::request(uint64_t session_id, const wire::PermitRequest& request, Now now) {
  const PermitWaiter waiter{session_id, request.request_id(), request.count(), now.mono_ms};
  const std::optional<uint32_t> index = find(request.resource());
  if (!index) {
    answer(waiter, invalidArgument("resource '" + request.resource() +
                                   "' has no limit on the broker: configure it with "
                                   "--resource NAME=RATE"));
    return;
  }
  Resource& resource = resources_[*index];
  if (request.count() == 0 || request.count() > resource.limit.burst + kEpsilon) {
    answer(waiter, invalidArgument("permit count " + std::to_string(request.count()) +
                                   " for resource '" + resource.name + "' must be 1.." +
                                   std::to_string(static_cast<uint64_t>(resource.limit.burst)) +
                                   " (its burst)"));
    return;
  }
  if (resource.circuit == CircuitState::kOpen) {
    answer(waiter,
           Status(StatusCode::kUnavailable, "circuit of resource '" + resource.name + "' is open"));
    return;
  }
  // Tokens that accrued while nobody waited are capped at the burst before
  // the first waiter arrives (refill() caps only an idle bucket).
  refill(resource, now.mono_ms);
  resource.waiting.push_back(waiter);
  grant(resource, now);
}

void ResourceTable::cancel(uint64_t session_id, uint64_t request_id) {
  for (Resource& resource : resources_) {
    auto& waiting = resource.waiting;
    auto it = std::find_if(waiting.begin(), waiting.end(), [&](const PermitWaiter& w) {
      return w.session_id == session_id && w.request_id == request_id;
    });
    if (it != waiting.end()) {
      waiting.erase(it);
      return;
    }
  }
}

void ResourceTable::dropSession(uint64_t session_id) {
  for (Resource& resource : resources_) {
    auto& waiting = resource.waiting;
    waiting.erase(std::remove_if(waiting.begin(), waiting.end(),
                                 [&](const PermitWaiter& w) { return w.session_id == session_id; }),
                  waiting.end());
  }
}

bool ResourceTable::report(std::string_view name, wire::ResourceSignal signal,
                           uint64_t retry_after_ms, Now now) {
  const std::optional<uint32_t> index = find(name);
  if (!index) {
    return false;
  }
  Resource& resource = resources_[*index];
  switch (signal) {
    case wire::RESOURCE_OK:
      resource.consecutive_failures = 0;
      if (resource.circuit == CircuitState::kHalfOpen) {
        resource.circuit = CircuitState::kClosed;
        resource.probe_job = 0;
        return true;
      }
      return false;
    case wire::RESOURCE_FAILURE:
      ++resource.failures_total;
      if (resource.circuit == CircuitState::kHalfOpen) {
        open(resource, "its probe failed", now);
      } else if (resource.circuit == CircuitState::kClosed &&
                 ++resource.consecutive_failures >= resource.limit.failure_threshold) {
        open(resource, std::to_string(resource.limit.failure_threshold) + " failures in a row",
             now);
      }
      return false;
    case wire::RESOURCE_PUSHBACK: {
      ++resource.pushbacks_total;
      refill(resource, now.mono_ms);
      // Several calls in flight may be pushed back together: the rate is
      // cut once per hold, not once per call.
      if (now.mono_ms >= resource.held_until_mono_ms) {
        resource.rate_per_s =
            std::max(resource.limit.rate_per_s * kMinRateFraction, resource.rate_per_s / 2);
      }
      const TimeMs hold = retry_after_ms == 0
                              ? resource.limit.default_hold_ms
                              : static_cast<TimeMs>(std::min<uint64_t>(retry_after_ms, kMaxHoldMs));
      resource.held_until_mono_ms = std::max(resource.held_until_mono_ms, now.mono_ms + hold);
      resource.tokens = 0;
      return false;
    }
    default:
      return false;
  }
}

bool ResourceTable::advance(Now now) {
  bool half_opened = false;
  for (Resource& resource : resources_) {
    if (resource.circuit == CircuitState::kOpen && now.mono_ms >= resource.open_until_mono_ms) {
      resource.circuit = CircuitState::kHalfOpen;
      resource.probe_job = 0;
      half_opened = true;
    }
    // Refilled even with nobody waiting, so stats show the rate as it
    // recovers.
    refill(resource, now.mono_ms);
    if (!resource.waiting.empty()) {
      grant(resource, now);
    }
  }
  return half_opened;
}

std::optional<TimeMs> ResourceTable::nextDue(Now now) const {
  std::optional<TimeMs> due;
  auto consider = [&](TimeMs at) { due = due ? std::min(*due, at) : at; };
  for (const Resource& resource : resources_) {
    if (resource.circuit == CircuitState::kOpen) {
      consider(resource.open_until_mono_ms);
      continue;
    }
    if (resource.waiting.empty()) {
      continue;
    }
    if (now.mono_ms < resource.held_until_mono_ms) {
      consider(resource.held_until_mono_ms);
      continue;
    }
    // The bucket as it will be at now (refill() has not run yet), then the
    // time the head's tokens are there at the current rate.
    const double elapsed_s =
        static_cast<double>(std::max<TimeMs>(0, now.mono_ms - resource.refilled_mono_ms)) / 1000;
    const double tokens =
        std::min(resource.limit.burst, resource.tokens + resource.rate_per_s * elapsed_s);
    const double missing = resource.waiting.front().count - tokens;
    const double wait_ms =
        missing <= kEpsilon ? 0 : std::ceil(missing / resource.rate_per_s * 1000);
    consider(now.mono_ms + static_cast<TimeMs>(wait_ms));
  }
  return due;
}

void ResourceTable::addStats(wire::StatsReply& out, Now now) const {
  for (const Resource& resource : resources_) {
    auto* stats = out.add_resources();
    stats->set_name(resource.name);
    stats->set_limit_per_s(resource.limit.rate_per_s);
    stats->set_rate_per_s(resource.rate_per_s);
    stats->set_burst(resource.limit.burst);
    stats->set_tokens(resource.tokens);
    if (now.mono_ms < resource.held_until_mono_ms) {
      stats->set_held_until_ms(now.wall_ms + (resource.held_until_mono_ms - now.mono_ms));
    }
    stats->set_circuit(circuitStateName(resource.circuit));
    if (resource.circuit == CircuitState::kOpen) {
      stats->set_circuit_open_until_ms(
          now.wall_ms + std::max<TimeMs>(0, resource.open_until_mono_ms - now.mono_ms));
    }
    stats->set_waiting(resource.waiting.size());
    stats->set_granted_total(resource.granted_total);
    stats->set_pushbacks_total(resource.pushbacks_total);
    stats->set_failures_total(resource.failures_total);
    stats->set_circuit_opened_total(resource.opened_total);
    stats->set_waited_ms_total(resource.waited_ms_total);
  }
}

void ResourceTable::refill(Resource& resource, TimeMs now_mono) {
  TimeMs from = resource.refilled_mono_ms;
  if (now_mono <= from) {
    return;
  }
  resource.refilled_mono_ms = now_mono;
  if (now_mono <= resource.held_until_mono_ms) {
    return;  // nothing accrues while held
  }
  from = std::max(from, resource.held_until_mono_ms);
  const double seconds = static_cast<double>(now_mono - from) / 1000;
  const double limit = resource.limit.rate_per_s;
  double accrued = resource.rate_per_s * seconds;
  if (resource.rate_per_s < limit) {
    // Additive increase, at the average rate over the interval.
    const double raised =
        std::min(limit, resource.rate_per_s + limit * kRecoveryPerSecond * seconds);
    accrued = (resource.rate_per_s + raised) / 2 * seconds;
    resource.rate_per_s = raised;
  }
  // Capped at the burst only when nobody waits: a waiter takes the tokens
  // the moment they are there, and the fraction that accrued while the
  // loop was getting to it is carried over, so the long-run rate is the
  // limit itself rather than the limit less the loop's reaction time.
  resource.tokens += accrued;
  if (resource.waiting.empty()) {
    resource.tokens = std::min(resource.limit.burst, resource.tokens);
  }
}

void ResourceTable::grant(Resource& resource, Now now) {
  if (resource.circuit == CircuitState::kOpen) {
    return;
  }
  refill(resource, now.mono_ms);
  if (now.mono_ms < resource.held_until_mono_ms) {
    return;
  }
  while (!resource.waiting.empty() &&
         resource.tokens + kEpsilon >= resource.waiting.front().count) {
    const PermitWaiter waiter = resource.waiting.front();
    resource.waiting.pop_front();
    resource.tokens = std::max(0.0, resource.tokens - waiter.count);
    resource.granted_total += waiter.count;
    resource.waited_ms_total += static_cast<uint64_t>(now.mono_ms - waiter.since_mono_ms);
    answer(waiter, Status::ok());
  }
}

void ResourceTable::open(Resource& resource, const std::string& why, Now now) {
  resource.circuit = CircuitState::kOpen;
  resource.open_until_mono_ms = now.mono_ms + resource.limit.open_ms;
  resource.probe_job = 0;
  resource.consecutive_failures = 0;
  ++resource.opened_total;
  refuseWaiting(resource, why);
}

void ResourceTable::refuseWaiting(Resource& resource, const std::string& why) {
  const Status refusal(StatusCode::kUnavailable, "circuit of resource '" + resource.name +
                                                     "' opened: " + why + " (limit " +
                                                     formatRate(resource.limit.rate_per_s) + ")");
  for (const PermitWaiter& waiter : resource.waiting) {
    answer(waiter, refusal);
  }
  resource.waiting.clear();
}

void ResourceTable::answer(const PermitWaiter& waiter, Status status) {
  answers_.push_back({waiter.session_id, waiter.request_id, std::move(status)});
}

bool CircuitGate::admits(const LiveJob& job) const {
  if (job.kind >= by_kind_.size()) {
    return true;
  }
  for (uint32_t index : by_kind_[job.kind]) {
    const Resource& resource = resources_.at(index);
    if (resource.circuit == CircuitState::kOpen ||
        (resource.circuit == CircuitState::kHalfOpen && resource.probe_job != 0)) {
      return false;
    }
  }
  return true;
}

void CircuitGate::onStarted(const LiveJob& job) {
  if (job.kind >= by_kind_.size()) {
    return;
  }
  for (uint32_t index : by_kind_[job.kind]) {
    Resource& resource = resources_.at(index);
    if (resource.circuit == CircuitState::kHalfOpen && resource.probe_job == 0) {
      resource.probe_job = job.id;
    }
  }
}

void CircuitGate::onStopped(const LiveJob& job) {
  if (job.kind >= by_kind_.size()) {
    return;
  }
  // A probe that ended without a verdict (it reported nothing) lets the
  // next job probe.
  for (uint32_t index : by_kind_[job.kind]) {
    Resource& resource = resources_.at(index);
    if (resource.probe_job == job.id) {
      resource.probe_job = 0;
    }
  }
}

void CircuitGate::declare(uint32_t kind, const std::vector<std::string>& resource_names) {
  if (kind >= by_kind_.size()) {
    by_kind_.resize(kind + 1);
  }
  std::vector<uint32_t>& declared = by_kind_[kind];
  for (const std::string& name : resource_names) {
    if (auto index = resources_.find(name)) {
      if (std::find(declared.begin(), declared.end(), *index) == declared.end()) {
        declared.push_back(*index);
      }
    }
  }
}

}  // namespace gantry::broker
