#include "report.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace gantry::bench {
namespace {

std::string format(double value, int decimals) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(decimals) << value;
  return s.str();
}

std::string targetText(const MetricSpec& m) {
  switch (m.goal) {
    case MetricSpec::Goal::kAtLeast:
      return ">= " + format(m.target, m.decimals);
    case MetricSpec::Goal::kAtMost:
      return "<= " + format(m.target, m.decimals);
    case MetricSpec::Goal::kInfo:
      return "";
  }
  return "";
}

bool meets(const MetricSpec& m, double value) {
  switch (m.goal) {
    case MetricSpec::Goal::kAtLeast:
      return value >= m.target;
    case MetricSpec::Goal::kAtMost:
      return value <= m.target;
    case MetricSpec::Goal::kInfo:
      return true;
  }
  return true;
}

std::vector<double> valuesOf(const std::vector<Sample>& samples, const std::string& metric) {
  std::vector<double> values;
  for (const Sample& s : samples) {
    if (auto it = s.find(metric); it != s.end()) {
      values.push_back(it->second);
    }
  }
  return values;
}

std::string pad(const std::string& text, size_t width, bool right) {
  if (text.size() >= width) {
    return text;
  }
  const std::string fill(width - text.size(), ' ');
  return right ? fill + text : text + fill;
}

}  // namespace

Stats summarize(std::vector<double> values) {
  Stats s;
  s.count = values.size();
  if (values.empty()) {
    return s;
  }
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

void printTable(std::ostream& out, const RunInfo& info,
                const std::vector<ScenarioOutcome>& outcomes) {
  out << "gantry-bench  " << info.date << "\n"
      << "machine:  " << info.machine << "\n"
      << "postgres: " << info.postgres << "\n"
      << "figures:  median of " << info.runs << " run(s), with min and max\n\n";
  const std::vector<size_t> widths = {20, 22, 8, 11, 11, 11, 12, 7};
  const std::vector<std::string> header = {"scenario", "metric", "unit",   "median",
                                           "min",      "max",    "target", "result"};
  std::string line;
  for (size_t i = 0; i < header.size(); ++i) {
    line += pad(header[i], widths[i], i >= 3 && i <= 5) + (i + 1 < header.size() ? "  " : "");
  }
  while (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
  out << line << "\n" << std::string(line.size(), '-') << "\n";
  for (const ScenarioOutcome& o : outcomes) {
    const Scenario& sc = *o.scenario;
    if (!o.skipped.empty() || !o.failed.empty()) {
      out << pad(sc.name, widths[0], false) << "  "
          << (o.skipped.empty() ? "FAILED: " + o.failed : "skipped: " + o.skipped) << "\n";
      continue;
    }
    for (const MetricSpec& m : sc.metrics) {
      const Stats st = summarize(valuesOf(o.samples, m.name));
      if (st.count == 0) {
        continue;
      }
      const std::string verdict =
          m.goal == MetricSpec::Goal::kInfo ? "" : (meets(m, st.median) ? "met" : "MISSED");
      const std::vector<std::string> cells = {sc.name,
                                              m.name,
                                              m.unit,
                                              format(st.median, m.decimals),
                                              format(st.min, m.decimals),
                                              format(st.max, m.decimals),
                                              targetText(m),
                                              verdict};
      std::string row;
      for (size_t i = 0; i < cells.size(); ++i) {
        row += pad(cells[i], widths[i], i >= 3 && i <= 5) + (i + 1 < cells.size() ? "  " : "");
      }
      while (!row.empty() && row.back() == ' ') {
        row.pop_back();
      }
      out << row << "\n";
    }
  }
}

nlohmann::json toJson(const RunInfo& info, const std::vector<ScenarioOutcome>& outcomes) {
  nlohmann::json doc;
  doc["date"] = info.date;
  doc["machine"] = info.machine;
  doc["postgres"] = info.postgres;
  doc["runs"] = info.runs;
  doc["scenarios"] = nlohmann::json::array();
  for (const ScenarioOutcome& o : outcomes) {
    const Scenario& sc = *o.scenario;
    nlohmann::json s;
    s["name"] = sc.name;
    s["summary"] = sc.summary;
    s["wall_seconds"] = o.wall_seconds;
    s["status"] = !o.failed.empty() ? "failed" : (!o.skipped.empty() ? "skipped" : "ok");
    if (!o.failed.empty()) {
      s["error"] = o.failed;
    }
    if (!o.skipped.empty()) {
      s["reason"] = o.skipped;
    }
    s["metrics"] = nlohmann::json::array();
    for (const MetricSpec& m : sc.metrics) {
      const std::vector<double> values = valuesOf(o.samples, m.name);
      if (values.empty()) {
        continue;
      }
      const Stats st = summarize(values);
      nlohmann::json j;
      j["name"] = m.name;
      j["unit"] = m.unit;
      j["median"] = st.median;
      j["min"] = st.min;
      j["max"] = st.max;
      j["samples"] = values;
      if (m.goal != MetricSpec::Goal::kInfo) {
        j["target"] = m.target;
        j["goal"] = m.goal == MetricSpec::Goal::kAtLeast ? "at_least" : "at_most";
        j["met"] = meets(m, st.median);
      }
      s["metrics"].push_back(std::move(j));
    }
    doc["scenarios"].push_back(std::move(s));
  }
  return doc;
}

bool allTargetsMet(const std::vector<ScenarioOutcome>& outcomes) {
  for (const ScenarioOutcome& o : outcomes) {
    if (!o.failed.empty()) {
      return false;
    }
    for (const MetricSpec& m : o.scenario->metrics) {
      const std::vector<double> values = valuesOf(o.samples, m.name);
      if (!values.empty() && !meets(m, summarize(values).median)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace gantry::bench
