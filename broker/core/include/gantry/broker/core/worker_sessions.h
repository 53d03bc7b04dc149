// The workers connected now: one session per hello, found by its connection
// (routing id) or its id, and the order dispatch visits them in. A session
// counts the slots its worker has in use: the attempts leased to it, and
// attempts it still runs that the broker no longer stands behind
// (superseded: refused in a hello, or given up on when their lease
// expired). The worker's threads are busy with those too, so counting them
// keeps the broker from assigning work the worker has no room for.
// Not thread-safe: part of the core.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gantry/common/clock.h"

namespace gantry::broker {

struct WorkerSession {
  uint64_t id = 0;
  std::string routing_id;
  std::string worker_id;
  std::string host;
  uint32_t pid = 0;
  uint64_t instance = 0;        // the worker process's random id; 0 = unknown
  std::vector<uint32_t> kinds;  // interned, sorted
  uint32_t slots = 0;
  std::unordered_set<uint64_t> jobs;  // ids of jobs leased to it
  // (job id, lease) -> until when it counts (monotonic), or 0: until the
  // worker reports its result.
  std::map<std::pair<uint64_t, uint64_t>, TimeMs> superseded;
  TimeMs connected_at_ms = 0;  // wall, for people
  TimeMs last_seen_mono_ms = 0;

  uint32_t busy() const { return static_cast<uint32_t>(jobs.size() + superseded.size()); }
  uint32_t freeSlots() const { return slots > busy() ? slots - busy() : 0; }
  bool runs(uint32_t kind) const { return std::binary_search(kinds.begin(), kinds.end(), kind); }
};

class WorkerSessions {
 public:
  // A new session on `routing_id`, last in dispatch order.
  WorkerSession& open(std::string_view routing_id);
  void close(uint64_t id);
  WorkerSession* byId(uint64_t id) {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : &it->second;
  }
  WorkerSession* byRouting(std::string_view routing_id) {
    auto it = by_routing_.find(std::string(routing_id));
    return it == by_routing_.end() ? nullptr : byId(it->second);
  }
  // Sessions a hello on `routing_id` from `worker_id` replaces: the same
  // connection, or the same worker on another one.
  std::vector<uint64_t> replacedBy(std::string_view routing_id, const std::string& worker_id) const;
  bool anyRuns(uint32_t kind) const;
  std::vector<std::string> routingIds() const;
  size_t size() const { return sessions_.size(); }

  template <class F>
  void forEach(F&& f) {
    for (auto& [id, session] : sessions_) {
      f(session);
    }
  }
  template <class F>
  void forEach(F&& f) const {
    for (const auto& [id, session] : sessions_) {
      f(session);
    }
  }

  // Session ids in the order dispatch visits them; rotate() after each
  // dispatch so no worker is always first.
  const std::vector<uint64_t>& dispatchOrder() const { return dispatch_order_; }
  void rotate();

 private:
  std::unordered_map<uint64_t, WorkerSession> sessions_;
  std::unordered_map<std::string, uint64_t> by_routing_;
  std::vector<uint64_t> dispatch_order_;
  uint64_t next_id_ = 1;
};

}  // namespace gantry::broker
