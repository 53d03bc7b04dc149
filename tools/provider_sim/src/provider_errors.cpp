#include "provider_errors.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

// Zoom's numeric codes for the errors the simulator gives.
int zoomCode(int status) {
  switch (status) {
    case 400:
      return 300;
    case 401:
      return 124;
    case 404:
      return 1001;
    case 429:
      return 429;
    default:
      return status;
  }
}

std::string openAiType(int status) {
  if (status == 429) {
    return "requests";
  }
  return status >= 500 ? "server_error" : "invalid_request_error";
}

void withRetryAfter(HttpReply& reply, std::optional<int64_t> retry_after_s) {
  if (retry_after_s) {
    reply.headers.emplace_back("Retry-After", std::to_string(*retry_after_s));
  }
}

}  // namespace

HttpReply errorReply(Provider provider, int status, const std::string& code,
                     const std::string& message) {
  switch (provider) {
    case Provider::kZoom:
      return jsonReply(status, {{"code", zoomCode(status)}, {"message", message}});
    case Provider::kOpenAi:
      return jsonReply(status, {{"error",
                                 {{"message", message},
                                  {"type", openAiType(status)},
                                  {"param", nullptr},
                                  {"code", code}}}});
    case Provider::kGraph:
    case Provider::kGeneric:
      break;
  }
  return jsonReply(status, {{"error", {{"code", code}, {"message", message}}}});
}

HttpReply throttledReply(Provider provider, int64_t retry_after_s) {
  HttpReply reply;
  switch (provider) {
    case Provider::kGraph:
      reply = errorReply(provider, 429, "TooManyRequests",
                         "Too many requests. Please retry after the time in Retry-After.");
      break;
    case Provider::kZoom:
      reply = errorReply(provider, 429, "",
                         "You have reached the maximum per-second rate limit for this API. "
                         "Try again later.");
      break;
    case Provider::kOpenAi:
      reply = errorReply(provider, 429, "rate_limit_exceeded",
                         "Rate limit reached for requests. Please try again in " +
                             std::to_string(retry_after_s) + "s.");
      break;
    case Provider::kGeneric:
      reply = errorReply(provider, 429, "TooManyRequests", "rate limit exceeded");
      break;
  }
  withRetryAfter(reply, retry_after_s);
  return reply;
}

HttpReply serverErrorReply(Provider provider, int status, std::optional<int64_t> retry_after_s) {
  const std::string code = status == 503   ? "ServiceUnavailable"
                           : status == 504 ? "GatewayTimeout"
                                           : "InternalServerError";
  HttpReply reply =
      errorReply(provider, status, provider == Provider::kOpenAi ? "server_error" : code,
                 "The service is temporarily unavailable (simulated fault).");
  withRetryAfter(reply, retry_after_s);
  return reply;
}

HttpReply unauthorizedReply(Provider provider, AuthProblem problem) {
  switch (provider) {
    case Provider::kGraph: {
      const std::string message =
          problem == AuthProblem::kExpired   ? "Access token has expired or is not yet valid."
          : problem == AuthProblem::kMissing ? "Access token is empty."
                                             : "Access token validation failure. Invalid audience.";
      HttpReply reply = errorReply(provider, 401, "InvalidAuthenticationToken", message);
      reply.headers.emplace_back(
          "WWW-Authenticate",
          problem == AuthProblem::kExpired
              ? R"(Bearer error="invalid_token", error_description="The access token expired")"
              : R"(Bearer error="invalid_token", error_description="The access token is invalid")");
      return reply;
    }
    case Provider::kZoom:
      return jsonReply(401,
                       {{"code", 124},
                        {"message", problem == AuthProblem::kExpired ? "Access token is expired."
                                                                     : "Invalid access token."}});
    case Provider::kOpenAi:
      return errorReply(provider, 401, "invalid_api_key",
                        problem == AuthProblem::kMissing ? "You didn't provide an API key."
                                                         : "Incorrect API key provided.");
    case Provider::kGeneric:
      break;
  }
  return errorReply(provider, 401, "Unauthorized", "missing or invalid credentials");
}

HttpReply forbiddenReply(Provider provider, const std::string& message) {
  return errorReply(provider, 403, "Forbidden", message);
}

HttpReply notFoundReply(Provider provider, const std::string& message) {
  return errorReply(provider, 404, provider == Provider::kOpenAi ? "not_found" : "NotFound",
                    message);
}

HttpReply badRequestReply(Provider provider, const std::string& message) {
  return errorReply(provider, 400, provider == Provider::kOpenAi ? "invalid_request" : "BadRequest",
                    message);
}

}  // namespace gantry::sim
