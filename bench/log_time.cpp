#include "log_time.h"

#include <time.h>

#include <cstdio>
#include <ctime>
#include <sstream>

#include <nlohmann/json.hpp>

namespace gantry::bench {

std::optional<int64_t> loggedAtMs(const std::string& log, const std::string& message) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    const auto entry = nlohmann::json::parse(line, nullptr, false);
    if (!entry.is_object() || entry.value("msg", "") != message) {
      continue;
    }
    std::tm tm{};
    int ms = 0;
    if (std::sscanf(entry.value("ts", "").c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
      return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<int64_t>(::timegm(&tm)) * 1000 + ms;
  }
  return std::nullopt;
}

}  // namespace gantry::bench
