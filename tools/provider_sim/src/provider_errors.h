// The error answers of each simulated provider, in that provider's shape:
//   Graph   {"error":{"code":"...","message":"..."}}
//   Zoom    {"code":124,"message":"..."}
//   OpenAI  {"error":{"message":"...","type":"...","param":null,"code":"..."}}
//   generic (/sim, /admin) {"error":{"code":"...","message":"..."}}
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "http_exchange.h"

namespace gantry::sim {

enum class Provider { kGraph, kZoom, kOpenAi, kGeneric };

enum class AuthProblem { kMissing, kUnknown, kExpired };

HttpReply throttledReply(Provider provider, int64_t retry_after_s);
// A 5xx (an injected error or outage), with Retry-After when given.
HttpReply serverErrorReply(Provider provider, int status, std::optional<int64_t> retry_after_s);
HttpReply unauthorizedReply(Provider provider, AuthProblem problem);
HttpReply forbiddenReply(Provider provider, const std::string& message);
HttpReply notFoundReply(Provider provider, const std::string& message);
HttpReply badRequestReply(Provider provider, const std::string& message);
// Any other status in the provider's shape (405, 413, ...).
HttpReply errorReply(Provider provider, int status, const std::string& code,
                     const std::string& message);

}  // namespace gantry::sim
