// Maps job kinds to the handlers that run them. Filled once in main (or a
// test) before the worker starts, then only read; reads are thread-safe as
// long as nobody adds concurrently.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/status.h"
#include "gantry/worker/handler.h"

namespace gantry::worker {

class HandlerRegistry {
 public:
  // Takes ownership. Fails with kInvalidArgument for an empty kind, a null
  // handler or a kind that is already registered (the first one stays).
  Status add(std::string kind, std::unique_ptr<Handler> handler);

  // The handler for `kind`, or nullptr. The registry keeps ownership; the
  // pointer stays valid for the registry's lifetime.
  Handler* find(std::string_view kind) const;

  // Registered kinds in ascending order.
  std::vector<std::string> kinds() const;

 private:
  std::map<std::string, std::unique_ptr<Handler>, std::less<>> handlers_;
};

}  // namespace gantry::worker
