#include "gantry/broker/server/resource_options.h"

#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

namespace gantry::broker {
namespace {

// Bounds that catch a typo without getting in the way of any real API.
constexpr double kMaxRatePerSecond = 1'000'000;
constexpr double kMaxBurst = 1'000'000;
constexpr uint32_t kMaxFailures = 1'000;
constexpr TimeMs kMaxDurationMs = TimeMs{24} * 3600 * 1000;

std::optional<double> parseDecimal(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> parseWhole(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// "100/min" -> per second.
std::optional<double> parseRate(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    return std::nullopt;
  }
  const std::optional<double> count = parseDecimal(text.substr(0, slash));
  const std::string unit = text.substr(slash + 1);
  const double seconds = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
  if (!count || seconds == 0) {
    return std::nullopt;
  }
  return *count / seconds;
}

// "30s" -> 30000.
std::optional<TimeMs> parseDuration(const std::string& text) {
  for (const auto& [suffix, factor] :
       {std::pair<std::string, TimeMs>{"ms", 1}, {"min", 60'000}, {"s", 1000}}) {
    if (text.size() > suffix.size() && text.ends_with(suffix)) {
      if (auto number = parseWhole(text.substr(0, text.size() - suffix.size()))) {
        if (*number <= static_cast<uint64_t>(kMaxDurationMs)) {
          return static_cast<TimeMs>(*number) * factor;
        }
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Sets one "field=value" of an item; the problem, or "".
std::string setField(const std::string& assignment, ResourceLimit& limit) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos) {
    return "expected field=value, got '" + assignment + "'";
  }
  const std::string field = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  if (field == "burst") {
    auto burst = parseDecimal(value);
    if (!burst || *burst < 1 || *burst > kMaxBurst || *burst != std::floor(*burst)) {
      return "burst must be a whole number between 1 and 1000000";
    }
    limit.burst = *burst;
  } else if (field == "failures") {
    auto failures = parseWhole(value);
    if (!failures || *failures == 0 || *failures > kMaxFailures) {
      return "failures must be between 1 and " + std::to_string(kMaxFailures);
    }
    limit.failure_threshold = static_cast<uint32_t>(*failures);
  } else if (field == "open" || field == "hold") {
    auto duration = parseDuration(value);
    if (!duration || *duration == 0) {
      return field + " must be a duration such as 500ms, 30s or 2min (at most 24 h)";
    }
    (field == "open" ? limit.open_ms : limit.default_hold_ms) = *duration;
  } else {
    return "unknown field '" + field + "' (burst, failures, open, hold)";
  }
  return {};
}

}  // namespace

Status parseResourceLimits(SettingName name, const std::vector<std::string>& items,
                           std::map<std::string, ResourceLimit>& out) {
  for (const std::string& item : items) {
    auto bad = [&](const std::string& problem) {
      return settingError(name, "'" + item + "': " + problem);
    };
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return bad("expected NAME=RATE/UNIT[,burst=N][,failures=N][,open=30s][,hold=1s]");
    }
    const std::string rest = item.substr(eq + 1);
    const auto comma = rest.find(',');
    const std::optional<double> rate = parseRate(rest.substr(0, comma));
    if (!rate || *rate <= 0 || *rate > kMaxRatePerSecond) {
      return bad("the rate must be a positive number per s, min or h, e.g. 100/min");
    }
    ResourceLimit limit;
    limit.rate_per_s = *rate;
    std::string fields = comma == std::string::npos ? "" : rest.substr(comma + 1);
    while (!fields.empty()) {
      const auto next = fields.find(',');
      if (std::string problem = setField(fields.substr(0, next), limit); !problem.empty()) {
        return bad(problem);
      }
      fields = next == std::string::npos ? "" : fields.substr(next + 1);
    }
    out[item.substr(0, eq)] = limit;
  }
  return Status::ok();
}

}  // namespace gantry::broker
