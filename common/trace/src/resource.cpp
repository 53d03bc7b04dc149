#include "resource.h"

#include <unistd.h>

#include <array>
#include <string>
#include <utility>

#include "key_value_list.h"

namespace gantry::trace {
namespace {

std::string hostName() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) {
    return "unknown";
  }
  return name.data();
}

}  // namespace

Attributes buildResource(const TracerConfig& config, std::string default_service_name) {
  const std::string host = hostName();
  const int64_t pid = ::getpid();
  Attributes out;
  uint32_t dropped = 0;
  setAttribute(out, dropped, "service.name", std::move(default_service_name));
  setAttribute(out, dropped, "service.instance.id", host + "-" + std::to_string(pid));
  setAttribute(out, dropped, "host.name", host);
  setAttribute(out, dropped, "process.pid", pid);
  setAttribute(out, dropped, "telemetry.sdk.name", std::string("gantry"));
  setAttribute(out, dropped, "telemetry.sdk.language", std::string("cpp"));
  // validate() has parsed these already; a failure here leaves them out.
  auto user = parseKeyValueList(config.resource_attributes);
  if (user) {
    for (auto& [key, value] : *user) {
      setAttribute(out, dropped, std::move(key), std::move(value));
    }
  }
  if (!config.service_name.empty()) {
    setAttribute(out, dropped, "service.name", config.service_name);
  }
  return out;
}

}  // namespace gantry::trace
