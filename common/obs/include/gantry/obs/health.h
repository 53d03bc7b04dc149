// Health checks behind /livez, /readyz and /startupz. Each check is a named
// function that reports its state; a probe passes when every check it
// includes passes. Kubernetes' meaning of the three probes:
//   live     - the process is not wedged (restart it if not)
//   ready    - send it work now (a standby broker is live but not ready)
//   startup  - it has finished starting; live and ready are not asked before
// Thread-safe: owners add checks at start; checks run on the HTTP thread, so
// a check reads only what is safe to read from there (atomics, FlagCheck).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace gantry::obs {

enum class Probe : uint8_t { kLive = 1, kReady = 2, kStartup = 4 };
constexpr uint8_t probes(std::initializer_list<Probe> list) {
  uint8_t mask = 0;
  for (Probe p : list) {
    mask |= static_cast<uint8_t>(p);
  }
  return mask;
}

struct CheckState {
  bool ok = false;
  std::string detail;  // what an operator reads: "owner, epoch 3", "connection refused"
};

// The result of one probe: HTTP status and the JSON body, e.g.
// {"status":"fail","checks":{"database":{"ok":false,"detail":"..."}}}.
struct ProbeResult {
  int http_status = 503;
  std::string body;
};

class Health {
 public:
  using Check = std::function<CheckState()>;

  // `probe_mask` says which probes include the check (probes({...})).
  void add(std::string name, uint8_t probe_mask, Check check);
  // Runs the checks of `probe`. With no checks, a probe passes.
  ProbeResult evaluate(Probe probe) const;

 private:
  struct Entry {
    std::string name;
    uint8_t probe_mask = 0;
    Check check;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> checks_;  // GUARDED_BY(mutex_)
};

// A check whose owner sets its state when it changes (a thread that knows
// whether the database answered, say). Thread-safe.
class FlagCheck {
 public:
  FlagCheck(bool ok, std::string detail) : state_{ok, std::move(detail)} {}
  void set(bool ok, std::string detail);
  CheckState get() const;
  // For Health::add: REQUIRES the FlagCheck outlives the Health.
  Health::Check asCheck() const {
    return [this] { return get(); };
  }

 private:
  mutable std::mutex mutex_;
  CheckState state_;  // GUARDED_BY(mutex_)
};

// A loop that shows it is turning by calling beat() each turn; the check
// fails when no beat came for `stall_ms` (a wedged loop). beat() is one
// relaxed store: cheap enough for every turn. Thread-safe.
class Heartbeat {
 public:
  explicit Heartbeat(int64_t stall_ms) : stall_ms_(stall_ms) {}
  void beat(int64_t mono_ms) { last_mono_ms_.store(mono_ms, std::memory_order_relaxed); }
  // REQUIRES: now_mono is on the same clock as the beats.
  CheckState state(int64_t now_mono_ms) const;

 private:
  const int64_t stall_ms_;
  std::atomic<int64_t> last_mono_ms_{0};
};

}  // namespace gantry::obs
