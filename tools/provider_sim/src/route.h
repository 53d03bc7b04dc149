// What an endpoint of a simulated provider gets, and how it is routed.
// Endpoints are plain functions of one request; the router has already
// charged the request to its resource, applied faults and limits, and
// authenticated it. Endpoints run on any I/O thread: they read the
// immutable Dataset and the thread-safe SimState only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gantry/sim/dataset.h"
#include "gantry/sim/sim_config.h"
#include "http_exchange.h"
#include "provider_errors.h"
#include "sim_state.h"

namespace gantry::sim {

struct EndpointContext {
  const HttpRequest& request;
  // The path segments that matched the route's "{}" placeholders.
  std::vector<std::string> params;
  // The user the bearer token belongs to (Graph, Zoom); nullptr otherwise.
  const User* user = nullptr;
  const Dataset& dataset;
  SimState& state;
  const SimConfig& config;
};

using Endpoint = std::function<HttpReply(const EndpointContext&)>;

struct Route {
  std::string method;
  Provider provider = Provider::kGeneric;
  // The path after the provider's prefix, "/"-separated; "{}" matches any
  // one segment: "users/{}/onlineMeetings".
  std::string pattern;
  // The rate-limited resource the request is charged to; empty: the first
  // placeholder names it (/sim/{}/work).
  std::string resource;
  Endpoint endpoint;
};

// Each provider's routes (graph_api.cpp, zoom_api.cpp, openai_api.cpp).
void addGraphRoutes(std::vector<Route>& routes);
void addZoomRoutes(std::vector<Route>& routes);
void addOpenAiRoutes(std::vector<Route>& routes);

}  // namespace gantry::sim
