#include "gantry/broker/core/worker_sessions.h"

namespace gantry::broker {

WorkerSession& WorkerSessions::open(std::string_view routing_id) {
  const uint64_t id = next_id_++;
  WorkerSession& session = sessions_[id];
  session.id = id;
  session.routing_id = routing_id;
  by_routing_[session.routing_id] = id;
  dispatch_order_.push_back(id);
  return session;
}

void WorkerSessions::close(uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return;
  }
  if (auto r = by_routing_.find(it->second.routing_id); r != by_routing_.end() && r->second == id) {
    by_routing_.erase(r);
  }
  sessions_.erase(it);
  std::erase(dispatch_order_, id);
}

std::vector<uint64_t> WorkerSessions::replacedBy(std::string_view routing_id,
                                                 const std::string& worker_id) const {
  std::vector<uint64_t> ids;
  for (const auto& [id, session] : sessions_) {
    if (session.routing_id == routing_id ||
        (!worker_id.empty() && session.worker_id == worker_id)) {
      ids.push_back(id);
    }
  }
  return ids;
}

bool WorkerSessions::anyRuns(uint32_t kind) const {
  return std::any_of(sessions_.begin(), sessions_.end(),
                     [kind](const auto& entry) { return entry.second.runs(kind); });
}

std::vector<std::string> WorkerSessions::routingIds() const {
  std::vector<std::string> ids;
  ids.reserve(by_routing_.size());
  for (const auto& [routing_id, id] : by_routing_) {
    ids.push_back(routing_id);
  }
  return ids;
}

void WorkerSessions::rotate() {
  if (!dispatch_order_.empty()) {
    std::rotate(dispatch_order_.begin(), dispatch_order_.begin() + 1, dispatch_order_.end());
  }
}

}  // namespace gantry::broker
