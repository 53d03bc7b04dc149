#include "gantry/worker/handler_registry.h"

#include <utility>

namespace gantry::worker {

Status HandlerRegistry::add(std::string kind, std::unique_ptr<Handler> handler) {
  if (kind.empty()) {
    return invalidArgument("handler kind must not be empty");
  }
  if (handler == nullptr) {
    return invalidArgument("handler for kind '" + kind + "' is null");
  }
  if (handlers_.contains(kind)) {
    return invalidArgument("a handler for kind '" + kind + "' is already registered");
  }
  handlers_.emplace(std::move(kind), std::move(handler));
  return Status::ok();
}

Handler* HandlerRegistry::find(std::string_view kind) const {
  const auto it = handlers_.find(kind);
  return it == handlers_.end() ? nullptr : it->second.get();
}

std::vector<std::string> HandlerRegistry::kinds() const {
  std::vector<std::string> out;
  out.reserve(handlers_.size());
  for (const auto& [kind, handler] : handlers_) {
    out.push_back(kind);
  }
  return out;
}

}  // namespace gantry::worker
