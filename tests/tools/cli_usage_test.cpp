// gantryctl's command line run in-process: what it refuses before any
// contact (exit code 2), with one line in its own voice, or the JSON document
// with the error when --json is given.
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/cli_run.h"
#include "tools/scripted_broker.h"

namespace gantry::tools {
namespace {

using testing::CliRun;
using testing::contains;
using testing::countLines;
using testing::run;
using testing::ScriptedBroker;

TEST(Cli, HelpExitsZeroAndDocumentsExitCodes) {
  CliRun r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "Exit codes:"));
  EXPECT_TRUE(contains(r.out, "4  not found"));
  EXPECT_TRUE(contains(r.out, "GANTRY_CLIENT_ENDPOINT"));
}

// Each of these must fail with 2 before contacting anything: the broker is
// silent, so contacting it would end in exit code 3 instead.
class CliUsageError : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(CliUsageError, ExitsTwoBeforeContactingTheBroker) {
  ScriptedBroker silent;
  std::vector<std::string> args = {"--broker", silent.endpoint(), "--timeout", "10ms"};
  args.insert(args.end(), GetParam().begin(), GetParam().end());

  CliRun r = run(args);

  EXPECT_EQ(r.code, 2) << r.err;
  // One line in gantryctl's voice, whether the parser or a command found it.
  EXPECT_EQ(r.err.rfind("gantryctl", 0), 0u) << r.err;
  EXPECT_EQ(countLines(r.err), 1u) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, CliUsageError,
    ::testing::Values(
        std::vector<std::string>{}, std::vector<std::string>{"frobnicate"},
        std::vector<std::string>{"submit"},
        std::vector<std::string>{"submit", "--kind", "k", "--priority", "12"},
        std::vector<std::string>{"submit", "--kind", "k", "--bogus"},
        std::vector<std::string>{"submit", "--kind"},
        std::vector<std::string>{"submit", "--kind", "k", "--run-at", "-5"},
        std::vector<std::string>{"submit", "--kind", "has space"},
        std::vector<std::string>{"submit", "--kind", "k", "--delay", "5x"},
        std::vector<std::string>{"submit", "--kind", "k", "--delay", "1s", "--run-at", "5"},
        std::vector<std::string>{"submit", "--kind", "k", "--payload", "a", "--payload-file", "f"},
        std::vector<std::string>{"submit", "--kind", "k", "--payload-file", "/nonexistent/payload"},
        std::vector<std::string>{"submit", "--kind", "k", "--timeout", "2d"},
        std::vector<std::string>{"submit", "--batch", "-", "--kind", "k"},
        std::vector<std::string>{"submit", "--batch", "/nonexistent/batch"},
        std::vector<std::string>{"get"}, std::vector<std::string>{"get", "abc"},
        std::vector<std::string>{"get", "0"}, std::vector<std::string>{"list", "--state", "bogus"},
        std::vector<std::string>{"list", "--limit", "0"},
        std::vector<std::string>{"list", "--after", "-1"},
        std::vector<std::string>{"list", "--queue", "has space"},
        std::vector<std::string>{"get", "-1"}, std::vector<std::string>{"cancel"},
        std::vector<std::string>{"cancel", "7", "-1"}, std::vector<std::string>{"retry", "0"},
        std::vector<std::string>{"pause"}, std::vector<std::string>{"pause", ""},
        std::vector<std::string>{"resume", ""}, std::vector<std::string>{"pause", "has space"},
        std::vector<std::string>{"migrate"},
        std::vector<std::string>{"migrate", "down", "--steps", "0"},
        std::vector<std::string>{"--timeout", "0s", "stats"},
        std::vector<std::string>{"--timeout", "soon", "stats"}));

struct ExpectedError {
  std::vector<std::string> args;
  std::string err;
};

// Names a failing case by its command line.
void PrintTo(const ExpectedError& expected, std::ostream* os) {
  *os << "gantryctl";
  for (const auto& arg : expected.args) {
    *os << " '" << arg << "'";
  }
}

// The exact error line: the command, what is wrong and, for a value, what
// is accepted (for numbers the limits of job_spec.h, not the range of the
// C++ type behind them) and what was given. The broker is silent, so a
// command that contacted it would exit 3 instead.
class CliUsageMessage : public ::testing::TestWithParam<ExpectedError> {};

TEST_P(CliUsageMessage, IsOneLineNamingTheCommandAndTheProblem) {
  ScriptedBroker silent;
  std::vector<std::string> args = {"--broker", silent.endpoint(), "--timeout", "10ms"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());

  CliRun r = run(args);

  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, GetParam().err);
  EXPECT_EQ(r.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    NumbersAndNames, CliUsageMessage,
    ::testing::Values(
        ExpectedError{{"submit", "--kind", "k", "--run-at", "-5"},
                      "gantryctl submit: --run-at: must be unix milliseconds >= 0, got -5\n"},
        ExpectedError{{"submit", "--kind", "k", "--priority", "x"},
                      "gantryctl submit: --priority: must be an integer in 0..9, got x\n"},
        ExpectedError{{"submit", "--kind", "k", "--priority", "12"},
                      "gantryctl submit: --priority: must be an integer in 0..9, got 12\n"},
        ExpectedError{{"submit", "--kind", "k", "--max-attempts", "-1"},
                      "gantryctl submit: --max-attempts: must be an integer in 0..1000 (0: the "
                      "kind's default), got -1\n"},
        ExpectedError{{"submit", "--kind", "k", "--max-attempts", "1001"},
                      "gantryctl submit: --max-attempts: must be an integer in 0..1000 (0: the "
                      "kind's default), got 1001\n"},
        ExpectedError{{"submit", "--kind", "k", "--timeout", "25h"},
                      "gantryctl submit: --timeout: must be at most 24h, got 25h\n"},
        ExpectedError{{"get", "-1"},
                      "gantryctl get: ID: must be a job id (an integer >= 1), got -1\n"},
        ExpectedError{{"get", "0"},
                      "gantryctl get: ID: must be a job id (an integer >= 1), got 0\n"},
        ExpectedError{{"cancel", "7", "-1"},
                      "gantryctl cancel: ID: must be a job id (an integer >= 1), got -1\n"},
        ExpectedError{{"retry", "x"},
                      "gantryctl retry: ID: must be a job id (an integer >= 1), got x\n"},
        ExpectedError{{"get", "1e3"},
                      "gantryctl get: ID: must be a job id (an integer >= 1), got 1e3\n"},
        ExpectedError{{"get", "99999999999999999999"},
                      "gantryctl get: ID: must be a job id (an integer >= 1), got "
                      "99999999999999999999\n"},
        ExpectedError{{"list", "--limit", "1001"},
                      "gantryctl list: --limit: must be an integer in 1..1000, got 1001\n"},
        ExpectedError{{"list", "--after", "-1"},
                      "gantryctl list: --after: must be a job id (an integer >= 0; 0 starts at "
                      "the first job), got -1\n"},
        ExpectedError{{"migrate", "up", "--to", "0"},
                      "gantryctl migrate up: --to: must be a migration version (an integer >= "
                      "1), got 0\n"},
        ExpectedError{{"migrate", "down", "--steps", "x"},
                      "gantryctl migrate down: --steps: must be an integer >= 1, got x\n"},
        ExpectedError{{"pause", ""}, "gantryctl pause: queue must not be empty\n"},
        ExpectedError{{"resume", ""}, "gantryctl resume: queue must not be empty\n"},
        ExpectedError{{"pause", "has space"},
                      "gantryctl pause: queue must be printable UTF-8 with no spaces or control "
                      "characters\n"}));

INSTANTIATE_TEST_SUITE_P(
    ParserErrors, CliUsageMessage,
    ::testing::Values(
        ExpectedError{{"submit", "--kind", "k", "--bogus"},
                      "gantryctl submit: the following argument was not expected: --bogus; run "
                      "gantryctl submit --help\n"},
        ExpectedError{{"submit", "--kind"},
                      "gantryctl submit: --kind: 1 required TEXT missing; run gantryctl submit "
                      "--help\n"},
        ExpectedError{{"submit", "--kind", "k", "--delay", "1s", "--run-at", "5"},
                      "gantryctl submit: --delay excludes --run-at; run gantryctl submit "
                      "--help\n"},
        ExpectedError{{"get"}, "gantryctl get: ID is required; run gantryctl get --help\n"},
        ExpectedError{{"migrate"},
                      "gantryctl migrate: a subcommand is required; run gantryctl migrate "
                      "--help\n"},
        ExpectedError{{"stats", "--timeout", "soon"},
                      "gantryctl stats: --timeout: invalid duration 'soon': expected a number at "
                      "'soon'; write e.g. 500ms, 30s, 5m, 2h, 1d or 1h30m\n"},
        ExpectedError{{"frobnicate"},
                      "gantryctl: unknown command 'frobnicate'; run gantryctl --help\n"},
        ExpectedError{{}, "gantryctl: no command given; run gantryctl --help\n"}));

// docs/operations.md, "submit": with --json the document is always printed,
// with an error field, also when the input was refused before anything was
// sent; the error line still goes to stderr and the exit code stays 2.
class SubmitJsonUsageError : public ::testing::TestWithParam<ExpectedError> {};

TEST_P(SubmitJsonUsageError, PrintsTheDocumentWithTheError) {
  ScriptedBroker silent;
  std::vector<std::string> args = {"--broker", silent.endpoint(), "--timeout",
                                   "10ms",     "--json",          "submit"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());

  CliRun r = run(args, "{\"kind\":\"k\",\"max_attempts\":-1}\n");

  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "gantryctl submit: " + GetParam().err + "\n");
  ASSERT_FALSE(r.out.empty());
  const nlohmann::json expected = {
      {"jobs", nlohmann::json::array()},
      {"submitted", 0},
      {"duplicates", 0},
      {"warnings", nlohmann::json::array()},
      {"error", {{"code", "invalid argument"}, {"message", GetParam().err}}}};
  EXPECT_EQ(nlohmann::json::parse(r.out), expected) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    RefusedInputs, SubmitJsonUsageError,
    ::testing::Values(
        ExpectedError{{"--kind", "k", "--priority", "12"},
                      "--priority: must be an integer in 0..9, got 12"},
        ExpectedError{{"--kind", "k", "--delay", "5x"},
                      "--delay: invalid duration '5x': unknown unit 'x'; write e.g. 500ms, 30s, "
                      "5m, 2h, 1d or 1h30m"},
        ExpectedError{{}, "--kind is required (or give --batch FILE)"},
        ExpectedError{{"--kind", "has space"},
                      "kind must be printable UTF-8 with no spaces or control characters"},
        ExpectedError{{"--batch", "-"},
                      "<stdin>:1: max_attempts: must be an integer in 0..1000 (0: the kind's "
                      "default), got -1"},
        ExpectedError{{"--kind", "k", "--bogus"},
                      "the following argument was not expected: --bogus; run gantryctl submit "
                      "--help"}));

TEST(Cli, SubmitJsonAfterTheSubcommandStillGetsTheDocument) {
  CliRun r = run({"submit", "--kind", "k", "--run-at", "-5", "--json"});
  EXPECT_EQ(r.code, 2);
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["message"],
            "--run-at: must be unix milliseconds >= 0, got -5");
}

TEST(Cli, UnparseableBrokerEndpointIsAUsageError) {
  CliRun r = run({"--broker", "nonsense", "stats"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "nonsense"));
}

TEST(Cli, MigrateWithoutADatabaseIsAUsageError) {
  ::unsetenv("DATABASE_URL");
  ::unsetenv("DATABASE_URL_FILE");
  CliRun r = run({"migrate", "status"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "DATABASE_URL"));
}

TEST(Cli, MigrateDatabaseUrlFileThatCannotBeReadIsAUsageErrorNamingIt) {
  ::unsetenv("DATABASE_URL");
  ::unsetenv("DATABASE_URL_FILE");
  CliRun r = run({"migrate", "status", "--database-url-file", "/nonexistent/db-url"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "gantryctl migrate: --database-url-file (DATABASE_URL_FILE): cannot read "
            "'/nonexistent/db-url': No such file or directory\n");
}

TEST(Cli, MigrateDatabaseUrlAndItsFileTogetherAreAUsageError) {
  ::unsetenv("DATABASE_URL");
  ::unsetenv("DATABASE_URL_FILE");
  CliRun r = run({"migrate", "status", "--database-url", "postgresql://u:s3cret@db/x",
                  "--database-url-file", "/run/secrets/db-url"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--database-url and --database-url-file are both given")) << r.err;
  EXPECT_FALSE(contains(r.err, "s3cret")) << r.err;
}

TEST(Cli, MigrateMalformedDatabaseUrlIsAUsageErrorThatDoesNotQuoteIt) {
  ::unsetenv("DATABASE_URL_FILE");
  CliRun r = run({"migrate", "status", "--database-url", "host=db password='s3cret"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "gantryctl migrate: --database-url (DATABASE_URL): ")) << r.err;
  EXPECT_FALSE(contains(r.err, "s3cret")) << r.err;
}

TEST(Cli, UnexpectedArgumentsAreQuotedWithoutTheirPassword) {
  CliRun r = run({"migrate", "status", "postgresql://u:s3cret@db/x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "postgresql://u:****@db/x")) << r.err;
  EXPECT_FALSE(contains(r.err, "s3cret")) << r.err;
}

TEST(Cli, MigrateHelpNamesTheVariablesAndShowsNoSecret) {
  ::setenv("DATABASE_URL", "postgresql://u:s3cret@db/x", 1);
  CliRun r = run({"migrate", "--help"});
  ::unsetenv("DATABASE_URL");
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "(Env:DATABASE_URL)")) << r.out;
  EXPECT_TRUE(contains(r.out, "(Env:DATABASE_URL_FILE)")) << r.out;
  EXPECT_FALSE(contains(r.out, "s3cret")) << r.out;
}

TEST(Cli, BadBatchLineIsReportedWithFileAndLine) {
  ScriptedBroker silent;
  CliRun r = run({"--broker", silent.endpoint(), "--timeout", "10ms", "submit", "--batch", "-"},
                 "{\"kind\":\"a\"}\n{\"kind\":\"b\",\"priority\":99}\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "<stdin>:2: priority: must be an integer in 0..9, got 99")) << r.err;
}

}  // namespace
}  // namespace gantry::tools
