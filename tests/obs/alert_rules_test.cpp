// The alert rules docs/observability.md offers are valid Prometheus rules:
// Debian's promtool checks the YAML block as it stands in the document.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/child_process.h"

namespace gantry::obs {
namespace {

std::string rulesFromDocs() {
  std::ifstream docs(std::string(GANTRY_SOURCE_DIR) + "/docs/observability.md");
  std::stringstream rules;
  bool inside = false;
  for (std::string line; std::getline(docs, line);) {
    if (line == "```yaml") {
      inside = true;
    } else if (inside && line == "```") {
      break;
    } else if (inside) {
      rules << line << "\n";
    }
  }
  return rules.str();
}

TEST(AlertRules, TheDocumentedRulesPassPromtool) {
  const std::string rules = rulesFromDocs();
  ASSERT_NE(rules.find("GantryDeadJobsRising"), std::string::npos) << "no rules block found";
  const auto dir = std::filesystem::temp_directory_path() / "gantry-alert-rules";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "rules.yml") << rules;
  test::ChildProcess promtool("/usr/bin/promtool", {"check", "rules", (dir / "rules.yml").string()},
                              {}, (dir / "promtool.log").string());
  const auto code = promtool.waitExit(std::chrono::seconds(60));
  const std::string output = promtool.log();
  std::filesystem::remove_all(dir);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("SUCCESS: 6 rules found"), std::string::npos) << output;
}

}  // namespace
}  // namespace gantry::obs
