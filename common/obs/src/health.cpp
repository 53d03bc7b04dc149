#include "gantry/obs/health.h"

#include <nlohmann/json.hpp>

namespace gantry::obs {

void Health::add(std::string name, uint8_t probe_mask, Check check) {
  std::lock_guard lock(mutex_);
  checks_.push_back({std::move(name), probe_mask, std::move(check)});
}

ProbeResult Health::evaluate(Probe probe) const {
  nlohmann::json body = {{"status", "ok"}, {"checks", nlohmann::json::object()}};
  bool all_ok = true;
  std::lock_guard lock(mutex_);
  for (const Entry& entry : checks_) {
    if ((entry.probe_mask & static_cast<uint8_t>(probe)) == 0) {
      continue;
    }
    const CheckState state = entry.check();
    all_ok = all_ok && state.ok;
    body["checks"][entry.name] = {{"ok", state.ok}, {"detail", state.detail}};
  }
  body["status"] = all_ok ? "ok" : "fail";
  return {all_ok ? 200 : 503, body.dump() + "\n"};
}

void FlagCheck::set(bool ok, std::string detail) {
  std::lock_guard lock(mutex_);
  state_ = {ok, std::move(detail)};
}

CheckState FlagCheck::get() const {
  std::lock_guard lock(mutex_);
  return state_;
}

CheckState Heartbeat::state(int64_t now_mono_ms) const {
  const int64_t last = last_mono_ms_.load(std::memory_order_relaxed);
  if (last == 0) {
    return {false, "not turning yet"};
  }
  const int64_t silent = now_mono_ms - last;
  if (silent > stall_ms_) {
    return {false, "no turn for " + std::to_string(silent) + " ms"};
  }
  return {true, "turning"};
}

}  // namespace gantry::obs
