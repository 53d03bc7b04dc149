#include "gantry/sim/resource_ledger.h"

#include <algorithm>
#include <cmath>

namespace gantry::sim {
namespace {

nlohmann::json optionalTime(const std::optional<TimeMs>& t) {
  return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
}

}  // namespace

ResourceLedger::ResourceLedger(std::map<std::string, RateLimit> limits, RateLimit fallback,
                               int64_t grace_ms)
    : limits_(std::move(limits)), fallback_(fallback), grace_ms_(grace_ms) {
  // The named resources show in stats from the start, with full buckets.
  for (const auto& [name, limit] : limits_) {
    Resource r;
    r.limit = limit;
    r.tokens = limit.requests;
    resources_.emplace(name, std::move(r));
  }
}

ResourceLedger::Resource& ResourceLedger::resource(const std::string& name, Now now) {
  auto it = resources_.find(name);
  if (it == resources_.end()) {
    Resource r;
    auto named = limits_.find(name);
    r.limit = named == limits_.end() ? fallback_ : named->second;
    r.tokens = r.limit.requests;
    r.refilled_mono = now.mono_ms;
    it = resources_.emplace(name, std::move(r)).first;
  }
  return it->second;
}

void ResourceLedger::refill(Resource& r, TimeMs now_mono) {
  if (r.refilled_mono == 0) {
    r.refilled_mono = now_mono;  // a bucket made at construction: full now
    return;
  }
  const double rate =
      static_cast<double>(r.limit.requests) / static_cast<double>(r.limit.period_ms);
  const auto elapsed = static_cast<double>(std::max<TimeMs>(0, now_mono - r.refilled_mono));
  r.tokens = std::min<double>(r.limit.requests, r.tokens + elapsed * rate);
  r.refilled_mono = now_mono;
}

bool ResourceLedger::arrive(const std::string& name, Now now) {
  Resource& r = resource(name, now);
  ++r.requests;
  if (!r.first_wall) {
    r.first_wall = now.wall_ms;
  }
  r.last_wall = now.wall_ms;
  r.arrivals_wall.push_back(now.wall_ms);
  if (r.arrivals_wall.size() > kMaxArrivals) {
    r.arrivals_wall.pop_front();
  }
  r.period_mono.push_back(now.mono_ms);
  while (!r.period_mono.empty() && r.period_mono.front() <= now.mono_ms - r.limit.period_ms) {
    r.period_mono.pop_front();
  }
  r.peak_per_period = std::max<uint64_t>(r.peak_per_period, r.period_mono.size());
  const bool early = now.mono_ms >= r.window_from_mono && now.mono_ms < r.window_until_mono;
  if (early) {
    ++r.retry_after_violations;
  }
  return early;
}

std::optional<int64_t> ResourceLedger::take(const std::string& name, Now now) {
  Resource& r = resource(name, now);
  refill(r, now.mono_ms);
  if (r.tokens >= 1.0) {
    r.tokens -= 1.0;
    return std::nullopt;
  }
  ++r.violations;
  const double ms_per_token =
      static_cast<double>(r.limit.period_ms) / static_cast<double>(r.limit.requests);
  const double wait_ms = (1.0 - r.tokens) * ms_per_token;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_ms / 1000.0)));
}

void ResourceLedger::answered(const std::string& name, int status,
                              std::optional<int64_t> retry_after_s, Now now) {
  Resource& r = resource(name, now);
  if (status == 429) {
    ++r.sent_429;
  } else if (status >= 500) {
    ++r.sent_5xx;
  }
  if (!retry_after_s) {
    return;
  }
  const TimeMs until = now.mono_ms + *retry_after_s * 1000;
  if (now.mono_ms >= r.window_until_mono) {
    // A new window. Requests already sent when this answer left arrive
    // within the grace; those after it had the chance to see it.
    r.window_from_mono = now.mono_ms + grace_ms_;
  }
  r.window_until_mono = std::max(r.window_until_mono, until);
}

void ResourceLedger::served(const std::string& name) {
  auto it = resources_.find(name);
  if (it != resources_.end()) {
    ++it->second.served;
  }
}

void ResourceLedger::reset(Now now) {
  for (auto& [name, r] : resources_) {
    Resource fresh;
    fresh.limit = r.limit;
    fresh.tokens = r.limit.requests;
    fresh.refilled_mono = now.mono_ms;
    r = std::move(fresh);
  }
}

nlohmann::json ResourceLedger::stats() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, r] : resources_) {
    out[name] = {
        {"limit", {{"requests", r.limit.requests}, {"period_ms", r.limit.period_ms}}},
        {"requests", r.requests},
        {"served", r.served},
        {"violations", r.violations},
        {"retry_after_violations", r.retry_after_violations},
        {"sent_429", r.sent_429},
        {"sent_5xx", r.sent_5xx},
        {"first_request_unix_ms", optionalTime(r.first_wall)},
        {"last_request_unix_ms", optionalTime(r.last_wall)},
        {"peak_per_period", r.peak_per_period},
    };
  }
  return out;
}

nlohmann::json ResourceLedger::arrivals(const std::string& name) const {
  auto it = resources_.find(name);
  if (it == resources_.end()) {
    return nlohmann::json::array();
  }
  return nlohmann::json(
      std::vector<TimeMs>(it->second.arrivals_wall.begin(), it->second.arrivals_wall.end()));
}

}  // namespace gantry::sim
