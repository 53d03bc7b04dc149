// gantryctl's command line run in-process against a scripted broker: what
// it sends, what it prints and its exit codes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/cli_run.h"
#include "tools/scripted_broker.h"

namespace gantry::tools {
namespace {

using testing::CliRun;
using testing::contains;
using testing::countLines;
using testing::kNow;
using testing::run;
using testing::ScriptedBroker;
using testing::submitReply;

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
