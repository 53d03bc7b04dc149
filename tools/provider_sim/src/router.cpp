#include "router.h"

#include <exception>

#include "gantry/common/log.h"

namespace gantry::sim {
namespace {

struct Prefix {
  std::string_view path;
  Provider provider;
};
constexpr Prefix kPrefixes[] = {{"/graph/v1.0/", Provider::kGraph},
                                {"/zoom/v2/", Provider::kZoom},
                                {"/openai/v1/", Provider::kOpenAi},
                                {"/sim/", Provider::kGeneric}};

// Generic resource names: short, and safe as metric labels.
bool validResourceName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return out;
}

std::string bearer(const std::string& authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() > kScheme.size() &&
      (authorization.compare(0, kScheme.size(), kScheme) == 0 ||
       authorization.compare(0, kScheme.size(), "bearer ") == 0)) {
    return authorization.substr(kScheme.size());
  }
  return "";
}

HttpReply genericWork(const EndpointContext& ctx) {
  return jsonReply(200, {{"ok", true}, {"resource", ctx.params.at(0)}});
}

const char* refusalKind(Admission::Refusal refusal) {
  switch (refusal) {
    case Admission::Refusal::kThrottleFault:
      return "rate_limit";
    case Admission::Refusal::kErrorFault:
      return "error";
    case Admission::Refusal::kOutage:
      return "outage";
    default:
      return "";
  }
}

}  // namespace

Router::Router(const SimConfig& config, const Dataset& dataset, SimState& state,
               SimMetrics& metrics)
    : config_(config),
      dataset_(dataset),
      state_(state),
      metrics_(metrics),
      admin_(config, dataset, state) {
  addGraphRoutes(routes_);
  addZoomRoutes(routes_);
  addOpenAiRoutes(routes_);
  routes_.push_back({"POST", Provider::kGeneric, "{}/work", "", genericWork});
}

uint64_t Router::bodyLimit(std::string_view target) const {
  return target.rfind("/openai/v1/audio/", 0) == 0 ? config_.max_upload_bytes
                                                   : config_.max_body_bytes;
}

Router::Match Router::match(Provider provider, std::string_view rest,
                            const std::string& method) const {
  const std::vector<std::string_view> segments = split(rest);
  Match found;
  for (const Route& route : routes_) {
    if (route.provider != provider) {
      continue;
    }
    const std::vector<std::string_view> pattern = split(route.pattern);
    if (pattern.size() != segments.size()) {
      continue;
    }
    std::vector<std::string> params;
    bool same = true;
    for (size_t i = 0; i < pattern.size() && same; ++i) {
      if (pattern[i] == "{}") {
        same = !segments[i].empty();
        params.emplace_back(segments[i]);
      } else {
        same = pattern[i] == segments[i];
      }
    }
    if (!same) {
      continue;
    }
    found.path_known = true;
    if (route.method == method) {
      found.route = &route;
      found.params = std::move(params);
      return found;
    }
  }
  return found;
}

std::optional<HttpReply> Router::authenticate(Provider provider, const HttpRequest& request,
                                              const User*& user) const {
  std::string token = bearer(request.authorization);
  if (provider == Provider::kGeneric) {
    return std::nullopt;
  }
  if (provider == Provider::kOpenAi) {
    if (token.empty()) {
      return unauthorizedReply(provider, AuthProblem::kMissing);
    }
    if (token != config_.openai_key) {
      return unauthorizedReply(provider, AuthProblem::kUnknown);
    }
    return std::nullopt;
  }
  // Zoom's download URLs also take the token as ?access_token=.
  if (token.empty() && provider == Provider::kZoom && request.query.count("access_token")) {
    token = request.query.at("access_token");
  }
  if (token.empty()) {
    return unauthorizedReply(provider, AuthProblem::kMissing);
  }
  const Platform platform = provider == Provider::kGraph ? Platform::kGraph : Platform::kZoom;
  user = dataset_.userByToken(platform, token);
  if (user == nullptr) {
    return unauthorizedReply(provider, AuthProblem::kUnknown);
  }
  if (state_.tokenExpired(platform, user->index)) {
    return unauthorizedReply(provider, AuthProblem::kExpired);
  }
  return std::nullopt;
}

HttpReply Router::serveProvider(Provider provider, const HttpRequest& request,
                                std::string_view rest) {
  // Graph's /me/... is /users/me/...
  std::string rewritten;
  if (provider == Provider::kGraph && (rest == "me" || rest.rfind("me/", 0) == 0)) {
    rewritten = "users/" + std::string(rest);
    rest = rewritten;
  }
  Match found = match(provider, rest, request.method);
  if (found.route == nullptr) {
    return found.path_known ? errorReply(provider, 405, "MethodNotAllowed",
                                         "method " + request.method + " is not allowed here")
                            : notFoundReply(provider, "no such endpoint: " + request.path);
  }
  const Route& route = *found.route;
  const std::string resource = route.resource.empty() ? found.params.at(0) : route.resource;
  if (!validResourceName(resource)) {
    return badRequestReply(provider, "resource names are 1-64 of [A-Za-z0-9._-]");
  }
  const Admission admission = state_.admit(resource);
  if (admission.limit_violation) {
    metrics_.limitViolation(resource);
  }
  if (admission.retry_after_violation) {
    metrics_.retryAfterViolation(resource);
  }
  HttpReply reply;
  switch (admission.refusal) {
    case Admission::Refusal::kNone:
      break;
    case Admission::Refusal::kTooManyResources:
      return badRequestReply(provider, "too many distinct resources");
    case Admission::Refusal::kLimit:
    case Admission::Refusal::kThrottleFault:
    case Admission::Refusal::kErrorFault:
    case Admission::Refusal::kOutage:
      if (admission.refusal != Admission::Refusal::kLimit) {
        metrics_.faultApplied(resource, refusalKind(admission.refusal));
      }
      if (admission.drop_connection) {
        reply.drop_connection = true;
        metrics_.request(resource, "dropped");
        return reply;
      }
      reply = admission.status == 429
                  ? throttledReply(provider, admission.retry_after_s.value_or(1))
                  : serverErrorReply(provider, admission.status, admission.retry_after_s);
      reply.delay_ms = admission.delay_ms;
      metrics_.request(resource, std::to_string(reply.status));
      return reply;
  }
  const User* user = nullptr;
  if (auto refused = authenticate(provider, request, user)) {
    reply = std::move(*refused);
  } else {
    try {
      reply = route.endpoint(
          EndpointContext{request, std::move(found.params), user, dataset_, state_, config_});
    } catch (const std::exception& e) {
      // A bug, not the client's fault; answer rather than drop the process.
      log::error("endpoint failed", {{"path", request.path}, {"error", e.what()}});
      reply = errorReply(provider, 500, "InternalServerError", "the simulator failed");
    }
  }
  state_.served(resource, reply.status, std::nullopt);
  reply.delay_ms += admission.delay_ms;
  metrics_.request(resource, std::to_string(reply.status));
  return reply;
}

HttpReply Router::handle(const HttpRequest& request) {
  if (request.path == "/admin" || request.path.rfind("/admin/", 0) == 0) {
    return admin_.handle(request);
  }
  for (const Prefix& prefix : kPrefixes) {
    if (request.path.rfind(prefix.path, 0) == 0) {
      return serveProvider(prefix.provider, request,
                           std::string_view(request.path).substr(prefix.path.size()));
    }
  }
  return notFoundReply(Provider::kGeneric,
                       "no such path: " + request.path +
                           " (providers live under /graph/v1.0, /zoom/v2, /openai/v1, /sim)");
}

}  // namespace gantry::sim
