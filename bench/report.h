// Aggregating runs (median, min, max) and printing them as a table for
// people or as JSON for scripts. The layout is stable: one row per metric,
// in scenario order.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario.h"

namespace gantry::bench {

struct Stats {
  size_t count = 0;
  double median = 0;  // the middle value; the mean of the two middle ones
  double min = 0;
  double max = 0;
};
Stats summarize(std::vector<double> values);

// What happened to one scenario.
struct ScenarioOutcome {
  const Scenario* scenario = nullptr;
  std::vector<Sample> samples;
  std::string skipped;  // non-empty: not measured, and why
  std::string failed;   // non-empty: the error that stopped it
  double wall_seconds = 0;
};

struct RunInfo {
  std::string date;      // UTC, ISO 8601
  std::string machine;   // cores, CPU model, kernel
  std::string postgres;  // version and durability settings
  int runs = 0;
};

void printTable(std::ostream& out, const RunInfo& info,
                const std::vector<ScenarioOutcome>& outcomes);
nlohmann::json toJson(const RunInfo& info, const std::vector<ScenarioOutcome>& outcomes);

// True when every measured target-bearing metric met its target (median).
bool allTargetsMet(const std::vector<ScenarioOutcome>& outcomes);

}  // namespace gantry::bench
