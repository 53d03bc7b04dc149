#include "sim_state.h"

#include <charconv>

namespace gantry::sim {
namespace {

// A user named by email, platform id, or 1-based index.
const User* resolveUser(const Dataset& dataset, Platform platform, const std::string& name) {
  if (const User* user = dataset.findUser(platform, name)) {
    return user;
  }
  size_t index = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
  if (ec == std::errc() && ptr == name.data() + name.size() && index >= 1 &&
      index <= dataset.users().size()) {
    return &dataset.users()[index - 1];
  }
  return nullptr;
}

}  // namespace

SimState::SimState(const SimConfig& config, const Dataset& dataset, Clock& clock)
    : dataset_(dataset),
      clock_(clock),
      ledger_(config.limits, config.default_limit, config.in_flight_grace_ms) {}

Admission SimState::admit(const std::string& resource) {
  const Now now = clock_.now();
  std::lock_guard lock(mutex_);
  Admission a;
  if (!ledger_.known(resource) && !ledger_.canAdd()) {
    a.refusal = Admission::Refusal::kTooManyResources;
    a.status = 400;
    return a;
  }
  a.retry_after_violation = ledger_.arrive(resource, now);
  const FaultEffect effect = faults_.apply(resource, now.mono_ms);
  a.delay_ms = effect.delay_ms;
  if (effect.status) {
    a.status = *effect.status;
    a.retry_after_s = effect.retry_after_s;
    a.drop_connection = effect.drop_connection;
    a.refusal = effect.outage           ? Admission::Refusal::kOutage
                : *effect.status == 429 ? Admission::Refusal::kThrottleFault
                                        : Admission::Refusal::kErrorFault;
  } else if (auto retry_after = ledger_.take(resource, now)) {
    a.refusal = Admission::Refusal::kLimit;
    a.status = 429;
    a.retry_after_s = *retry_after;
    a.limit_violation = true;
  }
  if (a.refusal != Admission::Refusal::kNone && !a.drop_connection) {
    ledger_.answered(resource, a.status, a.retry_after_s, now);
  }
  return a;
}

void SimState::served(const std::string& resource, int status,
                      std::optional<int64_t> retry_after_s) {
  const Now now = clock_.now();
  std::lock_guard lock(mutex_);
  ledger_.served(resource);
  ledger_.answered(resource, status, retry_after_s, now);
}

bool SimState::tokenExpired(Platform platform, int user_index) const {
  std::lock_guard lock(mutex_);
  return expired_tokens_.count({platform, user_index}) > 0;
}

bool SimState::transcriptMissing(const Meeting& meeting) const {
  if (!meeting.has_transcript) {
    return true;
  }
  std::lock_guard lock(mutex_);
  return removed_transcripts_.count(&meeting) > 0;
}

Status SimState::addFault(const FaultSpec& spec) {
  if (spec.kind == FaultKind::kExpireToken) {
    const User* user = resolveUser(dataset_, spec.platform, spec.user);
    if (user == nullptr) {
      return notFound("no user '" + spec.user + "'");
    }
    std::lock_guard lock(mutex_);
    expired_tokens_.insert({spec.platform, user->index});
    return Status::ok();
  }
  if (spec.kind == FaultKind::kMissingTranscript) {
    const Meeting* meeting = dataset_.findMeeting(Platform::kGraph, spec.meeting);
    if (meeting == nullptr) {
      meeting = dataset_.findMeeting(Platform::kZoom, spec.meeting);
    }
    if (meeting == nullptr) {
      return notFound("no meeting '" + spec.meeting + "'");
    }
    std::lock_guard lock(mutex_);
    removed_transcripts_.insert(meeting);
    return Status::ok();
  }
  const TimeMs now = clock_.monoMs();
  std::lock_guard lock(mutex_);
  faults_.add(spec, now);
  return Status::ok();
}

void SimState::clearFaults() {
  std::lock_guard lock(mutex_);
  faults_.clear();
  expired_tokens_.clear();
  removed_transcripts_.clear();
}

nlohmann::json SimState::describeFaults() const {
  const TimeMs now = clock_.monoMs();
  std::lock_guard lock(mutex_);
  nlohmann::json expired = nlohmann::json::array();
  for (const auto& [platform, index] : expired_tokens_) {
    expired.push_back({{"platform", platformName(platform)},
                       {"user", dataset_.users()[static_cast<size_t>(index) - 1].email}});
  }
  nlohmann::json removed = nlohmann::json::array();
  for (const Meeting* m : removed_transcripts_) {
    removed.push_back({{"platform", platformName(m->platform)}, {"meeting", m->id}});
  }
  return {{"faults", faults_.describe(now)},
          {"expired_tokens", expired},
          {"missing_transcripts", removed}};
}

nlohmann::json SimState::stats() const {
  std::lock_guard lock(mutex_);
  return ledger_.stats();
}

nlohmann::json SimState::arrivals(const std::string& resource) const {
  std::lock_guard lock(mutex_);
  return ledger_.arrivals(resource);
}

void SimState::reset() {
  const Now now = clock_.now();
  std::lock_guard lock(mutex_);
  ledger_.reset(now);
}

}  // namespace gantry::sim
