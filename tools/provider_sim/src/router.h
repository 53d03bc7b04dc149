// Turns one HTTP request into its answer: finds the provider route,
// charges the request to its resource (faults, then the rate limit),
// authenticates it as that provider does, and runs the endpoint; /admin
// goes to the admin API. Never throws on what a client sends: bad input is
// a 4xx in the provider's shape. Thread-safe (see route.h).
#pragma once

#include <string_view>
#include <vector>

#include "admin_api.h"
#include "route.h"
#include "sim_metrics.h"

namespace gantry::sim {

class Router {
 public:
  // REQUIRES: all arguments outlive the router.
  Router(const SimConfig& config, const Dataset& dataset, SimState& state, SimMetrics& metrics);

  HttpReply handle(const HttpRequest& request);
  // The largest body accepted for a request target (audio uploads get
  // more than the rest).
  uint64_t bodyLimit(std::string_view target) const;

 private:
  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    bool path_known = false;  // some route has this path, perhaps another method
  };
  Match match(Provider provider, std::string_view rest, const std::string& method) const;
  HttpReply serveProvider(Provider provider, const HttpRequest& request, std::string_view rest);
  // nullopt when authenticated (and `user` set for Graph and Zoom).
  std::optional<HttpReply> authenticate(Provider provider, const HttpRequest& request,
                                        const User*& user) const;

  const SimConfig& config_;
  const Dataset& dataset_;
  SimState& state_;
  SimMetrics& metrics_;
  AdminApi admin_;
  std::vector<Route> routes_;
};

}  // namespace gantry::sim
