#include "gantry/sim/fault_table.h"

#include <algorithm>

namespace gantry::sim {
namespace {

bool appliesTo(const FaultSpec& spec, const std::string& resource) {
  return spec.resource == "*" || spec.resource == resource;
}

// Outages win over throttling, throttling over errors.
int precedence(FaultKind kind) {
  switch (kind) {
    case FaultKind::kOutage:
      return 0;
    case FaultKind::kRateLimit:
      return 1;
    case FaultKind::kError:
      return 2;
    default:
      return 3;
  }
}

}  // namespace

const char* faultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kRateLimit:
      return "rate_limit";
    case FaultKind::kError:
      return "error";
    case FaultKind::kSlow:
      return "slow";
    case FaultKind::kOutage:
      return "outage";
    case FaultKind::kExpireToken:
      return "expire_token";
    case FaultKind::kMissingTranscript:
      return "missing_transcript";
  }
  return "unknown";
}

void FaultTable::add(const FaultSpec& spec, TimeMs now_mono) {
  Active active{spec, spec.count, std::nullopt};
  if (spec.duration_ms) {
    active.until_mono = now_mono + *spec.duration_ms;
  }
  faults_.push_back(std::move(active));
}

void FaultTable::dropExpired(TimeMs now_mono) {
  faults_.erase(std::remove_if(faults_.begin(), faults_.end(),
                               [now_mono](const Active& a) {
                                 return (a.remaining && *a.remaining == 0) ||
                                        (a.until_mono && now_mono >= *a.until_mono);
                               }),
                faults_.end());
}

FaultEffect FaultTable::apply(const std::string& resource, TimeMs now_mono) {
  dropExpired(now_mono);
  FaultEffect effect;
  Active* refusing = nullptr;
  for (Active& a : faults_) {
    if (!appliesTo(a.spec, resource)) {
      continue;
    }
    if (a.spec.kind == FaultKind::kSlow) {
      effect.delay_ms += a.spec.delay_ms;
      if (a.remaining) {
        --*a.remaining;
      }
    } else if (refusing == nullptr || precedence(a.spec.kind) < precedence(refusing->spec.kind)) {
      refusing = &a;
    }
  }
  if (refusing != nullptr) {
    const FaultSpec& spec = refusing->spec;
    if (refusing->remaining) {
      --*refusing->remaining;
    }
    effect.status = spec.kind == FaultKind::kRateLimit ? 429 : spec.status;
    effect.retry_after_s = spec.retry_after_s;
    effect.outage = spec.kind == FaultKind::kOutage;
    effect.drop_connection = spec.kind == FaultKind::kOutage && spec.close_connection;
  }
  return effect;
}

nlohmann::json FaultTable::describe(TimeMs now_mono) const {
  nlohmann::json out = nlohmann::json::array();
  for (const Active& a : faults_) {
    if ((a.remaining && *a.remaining == 0) || (a.until_mono && now_mono >= *a.until_mono)) {
      continue;
    }
    nlohmann::json f = {{"kind", faultKindName(a.spec.kind)}, {"resource", a.spec.resource}};
    if (a.spec.kind == FaultKind::kError || a.spec.kind == FaultKind::kOutage) {
      f["status"] = a.spec.status;
    }
    if (a.spec.retry_after_s) {
      f["retry_after_s"] = *a.spec.retry_after_s;
    }
    if (a.spec.kind == FaultKind::kSlow) {
      f["delay_ms"] = a.spec.delay_ms;
    }
    if (a.spec.kind == FaultKind::kOutage) {
      f["mode"] = a.spec.close_connection ? "close" : "503";
    }
    if (a.remaining) {
      f["remaining"] = *a.remaining;
    }
    if (a.until_mono) {
      f["remaining_ms"] = *a.until_mono - now_mono;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace gantry::sim
