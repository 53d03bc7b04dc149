#include "gantry/tools/time_text.h"

#include <cstdio>
#include <ctime>

namespace gantry::tools {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

constexpr const char* kAcceptedForms = "write e.g. 500ms, 30s, 5m, 2h, 1d or 1h30m";

// Milliseconds per unit, or 0 for an unknown unit.
int64_t unitMs(std::string_view unit) {
  if (unit == "ms") {
    return 1;
  }
  if (unit == "s") {
    return kSecond;
  }
  if (unit == "m") {
    return kMinute;
  }
  if (unit == "h") {
    return kHour;
  }
  if (unit == "d") {
    return kDay;
  }
  return 0;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

Status invalid(std::string_view text, const std::string& why) {
  return invalidArgument("invalid duration '" + std::string(text) + "': " + why + "; " +
                         kAcceptedForms);
}

}  // namespace

Result<int64_t> parseDurationMs(std::string_view text) {
  if (text.empty()) {
    return invalid(text, "it is empty");
  }
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!isDigit(text[pos])) {
      return invalid(text, text[pos] == '-'
                               ? "it must not be negative"
                               : "expected a number at '" + std::string(text.substr(pos)) + "'");
    }
    int64_t value = 0;
    while (pos < text.size() && isDigit(text[pos])) {
      value = value * 10 + (text[pos] - '0');
      if (value > kMaxDurationMs) {
        return invalid(text, "it is longer than a year");
      }
      ++pos;
    }
    const size_t unit_start = pos;
    while (pos < text.size() && !isDigit(text[pos])) {
      ++pos;
    }
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      return invalid(text, "the number has no unit");
    }
    const int64_t per_unit = unitMs(unit);
    if (per_unit == 0) {
      return invalid(text, "unknown unit '" + std::string(unit) + "'");
    }
    if (value > (kMaxDurationMs - total) / per_unit) {
      return invalid(text, "it is longer than a year");
    }
    total += value * per_unit;
  }
  return total;
}

std::string formatDurationMs(int64_t ms) {
  if (ms < 0) {
    ms = -ms;
  }
  char buf[32];
  if (ms < kSecond) {
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  } else if (ms < kMinute) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ms / kSecond));
  } else if (ms < kHour) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(ms / kMinute),
                  static_cast<long long>(ms % kMinute / kSecond));
  } else if (ms < kDay) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(ms / kHour),
                  static_cast<long long>(ms % kHour / kMinute));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(ms / kDay),
                  static_cast<long long>(ms % kDay / kHour));
  }
  return buf;
}

std::string formatRelative(TimeMs then, TimeMs now) {
  const int64_t delta = now - then;
  if (delta > -kSecond && delta < kSecond) {
    return "now";
  }
  return delta > 0 ? formatDurationMs(delta) + " ago" : "in " + formatDurationMs(delta);
}

std::string formatTimestamp(TimeMs ms) {
  // Floor division so that times before 1970 still land on the right second.
  const int64_t seconds = ms >= 0 ? ms / kSecond : -((-ms + kSecond - 1) / kSecond);
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) {
    return std::to_string(ms) + "ms";
  }
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

}  // namespace gantry::tools
