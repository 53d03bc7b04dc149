// Parsing faults from the admin API's JSON and from --fault flags.
#include <charconv>

#include "gantry/sim/fault_table.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

constexpr int64_t kMaxDelayMs = INT64_C(10) * 60 * 1000;
constexpr int64_t kMaxRetryAfterS = INT64_C(24) * 3600;

Result<FaultKind> kindFrom(const std::string& name) {
  for (FaultKind k : {FaultKind::kRateLimit, FaultKind::kError, FaultKind::kSlow,
                      FaultKind::kOutage, FaultKind::kExpireToken, FaultKind::kMissingTranscript}) {
    if (name == faultKindName(k)) {
      return k;
    }
  }
  return invalidArgument("unknown fault kind '" + name +
                         "'; one of rate_limit, error, slow, outage, expire_token, "
                         "missing_transcript");
}

// An integer field in [lo, hi]; nullopt when absent.
Result<std::optional<int64_t>> intField(const json& j, const char* name, int64_t lo, int64_t hi) {
  if (!j.contains(name)) {
    return std::optional<int64_t>();
  }
  const json& v = j[name];
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
    return invalidArgument(std::string(name) + " must be an integer between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
  }
  return std::optional<int64_t>(v.get<int64_t>());
}

Status requestFault(const json& j, FaultSpec& spec) {
  if (!j.contains("resource") || !j["resource"].is_string() ||
      j["resource"].get<std::string>().empty()) {
    return invalidArgument("a request fault needs \"resource\" (a resource name or \"*\")");
  }
  spec.resource = j["resource"].get<std::string>();
  auto status = intField(j, "status", 500, 599);
  auto retry = intField(j, "retry_after_s", 0, kMaxRetryAfterS);
  auto delay = intField(j, "delay_ms", 0, kMaxDelayMs);
  auto count = intField(j, "count", 1, INT64_C(1) << 40);
  auto duration = intField(j, "duration_s", 1, INT64_C(7) * 24 * 3600);
  for (const Status& s :
       {status.status(), retry.status(), delay.status(), count.status(), duration.status()}) {
    if (!s.isOk()) {
      return s;
    }
  }
  if (count.value() && duration.value()) {
    return invalidArgument("give count or duration_s, not both");
  }
  if (count.value()) {
    spec.count = static_cast<uint64_t>(*count.value());
  }
  if (duration.value()) {
    spec.duration_ms = *duration.value() * 1000;
  }
  spec.retry_after_s = retry.value();
  switch (spec.kind) {
    case FaultKind::kRateLimit:
      spec.retry_after_s = spec.retry_after_s.value_or(1);
      break;
    case FaultKind::kError:
      spec.status = static_cast<int>(status.value().value_or(500));
      break;
    case FaultKind::kSlow:
      if (!delay.value()) {
        return invalidArgument("a slow fault needs delay_ms");
      }
      spec.delay_ms = *delay.value();
      break;
    case FaultKind::kOutage: {
      spec.status = 503;
      spec.retry_after_s.reset();  // an outage gives no hint when it ends
      const std::string mode = j.value("mode", std::string("503"));
      if (mode != "503" && mode != "close") {
        return invalidArgument("outage mode must be \"503\" or \"close\"");
      }
      spec.close_connection = mode == "close";
      break;
    }
    default:
      break;
  }
  return Status::ok();
}

}  // namespace

Result<FaultSpec> faultFromJson(const json& j) {
  if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) {
    return invalidArgument("a fault is an object with a \"kind\"");
  }
  auto kind = kindFrom(j["kind"].get<std::string>());
  if (!kind.isOk()) {
    return kind.status();
  }
  FaultSpec spec;
  spec.kind = kind.value();
  if (spec.kind == FaultKind::kExpireToken) {
    const std::string platform = j.value("platform", j.value("resource", std::string()));
    if (platform != "graph" && platform != "zoom") {
      return invalidArgument("expire_token needs \"platform\": \"graph\" or \"zoom\"");
    }
    spec.platform = platform == "graph" ? Platform::kGraph : Platform::kZoom;
    if (!j.contains("user") || !(j["user"].is_string() || j["user"].is_number_integer())) {
      return invalidArgument("expire_token needs \"user\" (email, id or index)");
    }
    spec.user = j["user"].is_string() ? j["user"].get<std::string>()
                                      : std::to_string(j["user"].get<int64_t>());
    return spec;
  }
  if (spec.kind == FaultKind::kMissingTranscript) {
    if (!j.contains("meeting") || !j["meeting"].is_string()) {
      return invalidArgument("missing_transcript needs \"meeting\" (a meeting id)");
    }
    spec.meeting = j["meeting"].get<std::string>();
    return spec;
  }
  if (Status s = requestFault(j, spec); !s.isOk()) {
    return s;
  }
  return spec;
}

Result<FaultSpec> faultFromFlag(const std::string& text) {
  const auto first = text.find(':');
  if (first == std::string::npos) {
    return invalidArgument("must be KIND:RESOURCE[:key=value,...]");
  }
  const auto second = text.find(':', first + 1);
  json j = {{"kind", text.substr(0, first)},
            {"resource", text.substr(first + 1, second == std::string::npos ? std::string::npos
                                                                            : second - first - 1)}};
  j["platform"] = j["resource"];
  std::string rest = second == std::string::npos ? "" : text.substr(second + 1);
  size_t at = 0;
  while (at < rest.size()) {
    const auto comma = rest.find(',', at);
    const std::string item =
        rest.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    at = comma == std::string::npos ? rest.size() : comma + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      return invalidArgument("'" + item + "' must be key=value");
    }
    const std::string k = item.substr(0, eq);
    const std::string v = item.substr(eq + 1);
    int64_t number = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
    if (ec == std::errc() && ptr == v.data() + v.size() && k != "user" && k != "meeting" &&
        k != "mode") {
      j[k] = number;
    } else {
      j[k] = v;
    }
  }
  return faultFromJson(j);
}

}  // namespace gantry::sim
