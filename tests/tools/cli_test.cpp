// gantryctl's command line run in-process: parsing, validation before any
// contact, output and exit codes, against a scripted broker.
#include "gantry/tools/cli.h"

#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/fake_clock.h"
#include "tools/scripted_broker.h"

namespace gantry::tools {
namespace {

using testing::ScriptedBroker;

constexpr TimeMs kNow = 1'700'000'000'000;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun run(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "gantryctl");
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  test::FakeClock clock(kNow);
  CliRun result;
  result.code = runCli(args, in, out, err, clock);
  result.out = out.str();
  result.err = err.str();
  return result;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

size_t countLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

wire::Envelope submitReply(uint64_t first_id, int count) {
  wire::Envelope reply;
  for (int i = 0; i < count; ++i) {
    reply.mutable_submit_reply()->add_ids(first_id + i);
    reply.mutable_submit_reply()->add_duplicate(false);
  }
  return reply;
}

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
        std::vector<std::string>{"list", "--after", "-1"}, std::vector<std::string>{"get", "-1"},
        std::vector<std::string>{"cancel"}, std::vector<std::string>{"cancel", "7", "-1"},
        std::vector<std::string>{"retry", "0"}, std::vector<std::string>{"pause"},
        std::vector<std::string>{"pause", ""}, std::vector<std::string>{"resume", ""},
        std::vector<std::string>{"pause", "has space"}, std::vector<std::string>{"migrate"},
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

TEST(Cli, BadBatchLineIsReportedWithFileAndLine) {
  ScriptedBroker silent;
  CliRun r = run({"--broker", silent.endpoint(), "--timeout", "10ms", "submit", "--batch", "-"},
                 "{\"kind\":\"a\"}\n{\"kind\":\"b\",\"priority\":99}\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "<stdin>:2: priority: must be an integer in 0..9, got 99")) << r.err;
}

TEST(Cli, SilentBrokerExitsThreeAndSaysWhere) {
  ScriptedBroker silent;
  CliRun r = run({"--broker", silent.endpoint(), "--timeout", "20ms", "stats"});
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(contains(r.err, "no reply from broker at " + silent.endpoint() + " within 20 ms"))
      << r.err;
}

TEST(Cli, NotFoundExitsFour) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.get().id(), 7u);
    side.replyError(*request, wire::NOT_FOUND, "job 7 not found");
  });
  CliRun r = run({"--broker", broker.endpoint(), "get", "7"});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "gantryctl get: job 7 not found\n");
}

// CLI11 alone would read "010" as octal 8.
TEST(Cli, NumbersAreDecimalEvenWithLeadingZeros) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.get().id(), 10u);
    side.replyError(*request, wire::NOT_FOUND, "job 10 not found");
  });
  CliRun r = run({"--broker", broker.endpoint(), "get", "010"});
  EXPECT_EQ(r.code, 4) << r.err;
}

TEST(Cli, QueueFullExitsOneWithAdvice) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.replyError(*request, wire::QUEUE_FULL, "queue 'x' is full (capacity 1000)");
  });
  CliRun r = run({"--broker", broker.endpoint(), "submit", "--kind", "k", "--queue", "x"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "gantryctl submit: queue 'x' is full (capacity 1000): wait for it to drain or raise "
            "--queue-capacity on the broker\n");
}

TEST(Cli, SubmitTurnsFlagsIntoTheSpec) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    ASSERT_EQ(request->envelope.submit().jobs_size(), 1);
    const wire::JobSpec& spec = request->envelope.submit().jobs(0);
    EXPECT_EQ(spec.kind(), "k");
    EXPECT_EQ(spec.queue(), "q");
    EXPECT_EQ(spec.priority(), 7);
    EXPECT_EQ(spec.concurrency_key(), "user:1");
    EXPECT_EQ(spec.unique_key(), "u1");
    EXPECT_EQ(spec.run_at_ms(), kNow + 30'000);
    EXPECT_EQ(spec.max_attempts(), 3u);
    // After the subcommand, --timeout is the job's run-time limit.
    EXPECT_EQ(spec.timeout_ms(), 120'000u);
    EXPECT_EQ(spec.payload(), "hi");
    side.reply(*request, submitReply(11, 1));
  });
  CliRun r = run({"--broker", broker.endpoint(), "submit", "--kind",         "k",      "--queue",
                  "q",        "--priority",      "7",      "--key",          "user:1", "--unique",
                  "u1",       "--delay",         "30s",    "--max-attempts", "3",      "--timeout",
                  "2m",       "--payload",       "hi"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "11\n");
}

TEST(Cli, SubmitReadsThePayloadFromStdin) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.submit().jobs(0).payload(), std::string("\x01\x02\n", 3));
    side.reply(*request, submitReply(1, 1));
  });
  CliRun r = run({"--broker", broker.endpoint(), "submit", "--kind", "k", "--payload-file", "-"},
                 std::string("\x01\x02\n", 3));
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(Cli, SubmitJsonReportsDuplicates) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    wire::Envelope reply;
    reply.mutable_submit_reply()->add_ids(5);
    reply.mutable_submit_reply()->add_duplicate(true);
    side.reply(*request, reply);
  });
  CliRun r =
      run({"--broker", broker.endpoint(), "--json", "submit", "--kind", "k", "--unique", "u"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["jobs"][0]["id"], 5);
  EXPECT_EQ(json["jobs"][0]["duplicate"], true);
  EXPECT_EQ(json["duplicates"], 1);
}

// Accepted, but no connected worker runs the kind: said on stderr and in
// the document, once however many chunks repeat it, and not an error.
TEST(Cli, SubmitPassesOnTheBrokersWarningsOnce) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    uint64_t next_id = 1;
    for (int chunk = 0; chunk < 2; ++chunk) {
      auto request = side.receive();
      ASSERT_TRUE(request);
      const int jobs = request->envelope.submit().jobs_size();
      wire::Envelope reply = submitReply(next_id, jobs);
      reply.mutable_submit_reply()->add_warnings("no connected worker runs kind 'k'");
      side.reply(*request, reply);
      next_id += jobs;
    }
  });
  std::string batch;
  for (int i = 0; i < 600; ++i) {
    batch += "{\"kind\":\"k\"}\n";
  }
  CliRun r = run({"--broker", broker.endpoint(), "--json", "submit", "--batch", "-"}, batch);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "gantryctl submit: warning: no connected worker runs kind 'k'\n");
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["warnings"], nlohmann::json::array({"no connected worker runs kind 'k'"}));
  EXPECT_EQ(json["submitted"], 600);
}

TEST(Cli, BatchIsSentInChunksOfFiveHundred) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    uint64_t next_id = 1;
    for (int expected : {500, 500, 200}) {
      auto request = side.receive();
      ASSERT_TRUE(request);
      const int jobs = request->envelope.submit().jobs_size();
      EXPECT_EQ(jobs, expected);
      side.reply(*request, submitReply(next_id, jobs));
      next_id += jobs;
    }
  });
  std::string lines;
  for (int i = 0; i < 1200; ++i) {
    lines += "{\"kind\":\"k\",\"payload\":\"" + std::to_string(i) + "\"}\n";
  }
  CliRun r = run({"--broker", broker.endpoint(), "submit", "--batch", "-"}, lines);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(countLines(r.out), 1200u);
  EXPECT_TRUE(contains(r.out, "\n1200\n"));
  EXPECT_TRUE(contains(r.err, "submitted 1200 jobs")) << r.err;
}

TEST(Cli, RefusedChunkStopsTheBatchAndNamesTheLinesNotAcknowledged) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto first = side.receive();
    ASSERT_TRUE(first);
    side.reply(*first, submitReply(1, first->envelope.submit().jobs_size()));
    auto second = side.receive();
    ASSERT_TRUE(second);
    side.replyError(*second, wire::QUEUE_FULL, "queue 'default' is full (capacity 500)");
  });
  std::string lines;
  for (int i = 0; i < 600; ++i) {
    lines += "{\"kind\":\"k\"}\n";
  }
  CliRun r = run({"--broker", broker.endpoint(), "submit", "--batch", "-"}, lines);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(countLines(r.out), 500u);
  EXPECT_EQ(r.err,
            "gantryctl submit: queue 'default' is full (capacity 500): wait for it to drain or "
            "raise --queue-capacity on the broker; lines 501-600 (100 jobs) were not "
            "acknowledged, the 500 before them were\n");
}

TEST(Cli, GlobalFlagsMayFollowTheSubcommand) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    wire::Envelope reply;
    reply.mutable_get_reply()->mutable_job()->set_id(7);
    reply.mutable_get_reply()->mutable_job()->set_state(wire::SUCCEEDED);
    side.reply(*request, reply);
  });
  CliRun r = run({"get", "7", "--json", "--broker", broker.endpoint()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["job"]["state"], "succeeded");
}

TEST(Cli, ListPassesFiltersAndPrintsTheNextPageCommand) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    const wire::ListRequest& list = request->envelope.list();
    EXPECT_EQ(list.queue(), "mail");
    EXPECT_EQ(list.state(), wire::DEAD);
    EXPECT_EQ(list.limit(), 2u);
    EXPECT_EQ(list.after_id(), 10u);
    wire::Envelope reply;
    reply.mutable_list_reply()->add_jobs()->set_id(11);
    reply.mutable_list_reply()->add_jobs()->set_id(12);
    reply.mutable_list_reply()->set_next_after_id(12);
    side.reply(*request, reply);
  });
  CliRun r = run({"--broker", broker.endpoint(), "list", "--queue", "mail", "--state", "dead",
                  "--limit", "2", "--after", "10"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(countLines(r.out), 3u) << r.out;
  EXPECT_TRUE(
      contains(r.err, "more jobs: gantryctl list --queue mail --state dead --limit 2 --after 12"))
      << r.err;
}

TEST(Cli, RetryExitsOneWhenAnyJobIsRefused) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    ASSERT_EQ(request->envelope.body_case(), wire::Envelope::kRetry);
    wire::Envelope reply;
    auto* ok = reply.mutable_id_outcomes()->add_outcomes();
    ok->set_id(1);
    ok->set_ok(true);
    auto* refused = reply.mutable_id_outcomes()->add_outcomes();
    refused->set_id(2);
    refused->set_message("job 2 is running, not dead");
    side.reply(*request, reply);
  });
  CliRun r = run({"--broker", broker.endpoint(), "retry", "1", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "job 2 is running, not dead"));
  EXPECT_TRUE(contains(r.err, "1 of 2 jobs refused"));
}

// A reply of one outcome per id; code NOT_FOUND, FAILED_PRECONDITION, ...
// for a refused one, ERROR_CODE_UNSPECIFIED for an accepted one.
struct IdOutcome {
  uint64_t id;
  wire::ErrorCode code;
  std::string message;
};

wire::Envelope idOutcomes(const std::vector<IdOutcome>& outcomes) {
  wire::Envelope reply;
  for (const auto& o : outcomes) {
    auto* outcome = reply.mutable_id_outcomes()->add_outcomes();
    outcome->set_id(o.id);
    outcome->set_ok(o.code == wire::ERROR_CODE_UNSPECIFIED);
    outcome->set_code(o.code);
    outcome->set_message(o.message);
  }
  return reply;
}

CliRun runAgainstOutcomes(const std::string& command, const std::vector<IdOutcome>& outcomes) {
  ScriptedBroker broker;
  broker.run([command, outcomes](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.body_case(),
              command == "cancel" ? wire::Envelope::kCancel : wire::Envelope::kRetry);
    side.reply(*request, idOutcomes(outcomes));
  });
  std::vector<std::string> args = {"--broker", broker.endpoint(), command};
  for (const auto& o : outcomes) {
    args.push_back(std::to_string(o.id));
  }
  return run(args);
}

// The broker answers a cancel of a job that exists but is already final
// with FAILED_PRECONDITION: a refusal (exit 1), not an unknown job (exit 4).
TEST(Cli, CancelOfAFinalJobIsARefusalNotANotFound) {
  CliRun r = runAgainstOutcomes(
      "cancel", {{12, wire::FAILED_PRECONDITION,
                  "job 12 is succeeded; only jobs that are not final can be cancelled"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out,
                       "12  refused  job 12 is succeeded; only jobs that are not final "
                       "can be cancelled"))
      << r.out;
  EXPECT_EQ(r.err, "gantryctl cancel: 1 of 1 jobs refused (see MESSAGE)\n");
}

// cancel and retry read per-id codes the same way: exit 4 only when every
// refused id is NOT_FOUND, exit 1 as soon as one is refused for another
// reason.
class IdsCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(IdsCommand, ExitsFourOnlyWhenEveryRefusedIdIsUnknown) {
  CliRun r = runAgainstOutcomes(GetParam(), {{1, wire::ERROR_CODE_UNSPECIFIED, ""},
                                             {2, wire::NOT_FOUND, "job 2 not found"},
                                             {3, wire::NOT_FOUND, "job 3 not found"}});
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err, "gantryctl " + GetParam() + ": 2 of 3 jobs refused (see MESSAGE)\n");
}

TEST_P(IdsCommand, AnyOtherRefusalExitsOne) {
  CliRun r = runAgainstOutcomes(GetParam(), {{2, wire::NOT_FOUND, "job 2 not found"},
                                             {3, wire::FAILED_PRECONDITION, "job 3 is final"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.out, "job 3 is final")) << r.out;
}

INSTANTIATE_TEST_SUITE_P(CancelAndRetry, IdsCommand, ::testing::Values("cancel", "retry"));

TEST(Cli, ResumeUnpausesTheQueue) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.pause().queue(), "mail");
    EXPECT_FALSE(request->envelope.pause().paused());
    wire::Envelope reply;
    reply.mutable_pause_reply();
    side.reply(*request, reply);
  });
  CliRun r = run({"--broker", broker.endpoint(), "resume", "mail"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "queue 'mail' resumed\n");
}

}  // namespace
}  // namespace gantry::tools
