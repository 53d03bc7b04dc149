#include "gantry/worker/worker_config.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string_view>

namespace gantry::worker {
namespace {

constexpr uint32_t kMaxConcurrency = 1024;
// Below this, heartbeats alone would keep a loop and the network busy.
constexpr uint32_t kMinHeartbeatMs = 10;

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool isKnownLogLevel(std::string_view level) {
  constexpr std::array<std::string_view, 6> kLevels = {"trace", "debug", "info",
                                                       "warn",  "error", "off"};
  return std::find(kLevels.begin(), kLevels.end(), level) != kLevels.end();
}

}  // namespace

Status validateConfig(const WorkerConfig& config, const HandlerRegistry& registry) {
  const std::string& endpoint = config.broker_endpoint;
  if (!startsWith(endpoint, "tcp://") && !startsWith(endpoint, "ipc://") &&
      !startsWith(endpoint, "inproc://")) {
    return invalidArgument("--broker '" + endpoint +
                           "' must be a ZeroMQ endpoint such as tcp://broker:5555");
  }
  if (config.concurrency == 0 || config.concurrency > kMaxConcurrency) {
    return invalidArgument("--concurrency must be between 1 and " +
                           std::to_string(kMaxConcurrency) + ", got " +
                           std::to_string(config.concurrency));
  }
  for (const auto& kind : config.kinds) {
    if (registry.find(kind) == nullptr) {
      std::string known;
      for (const auto& k : registry.kinds()) {
        known += known.empty() ? k : "," + k;
      }
      return invalidArgument("--kinds names '" + kind + "', which has no handler; known: " + known);
    }
  }
  if (config.kinds.empty() && registry.kinds().empty()) {
    return invalidArgument("no handlers are registered, so the worker could run nothing");
  }
  if (config.heartbeat_ms < kMinHeartbeatMs) {
    return invalidArgument("--heartbeat-ms must be at least " + std::to_string(kMinHeartbeatMs));
  }
  if (config.liveness == 0) {
    return invalidArgument("--liveness must be at least 1");
  }
  if (static_cast<uint64_t>(config.heartbeat_ms) * config.liveness > INT32_MAX) {
    return invalidArgument("--heartbeat-ms times --liveness is too large");
  }
  if (config.reconnect_initial_ms == 0 || config.reconnect_initial_ms > config.reconnect_max_ms) {
    return invalidArgument("reconnect delays must satisfy 0 < initial <= max");
  }
  if (!isKnownLogLevel(config.log_level)) {
    return invalidArgument("--log-level '" + config.log_level +
                           "' is not one of trace|debug|info|warn|error|off");
  }
  return Status::ok();
}

std::string hostName() {
  std::array<char, HOST_NAME_MAX + 1> buffer{};
  if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') {
    return "unknown";
  }
  return buffer.data();
}

std::string defaultWorkerId() { return hostName() + "-" + std::to_string(::getpid()); }

}  // namespace gantry::worker
