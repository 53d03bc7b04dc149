#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gantry/tools/render_human.h"
#include "gantry/tools/render_json.h"
#include "gantry/tools/table.h"
#include "gantry/tools/text_encoding.h"

namespace gantry::tools {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

wire::Job sampleJob() {
  wire::Job job;
  job.set_id(42);
  job.set_state(wire::DEAD);
  job.set_attempt(3);
  job.set_created_at_ms(kNow - 60'000);
  job.set_updated_at_ms(kNow - 5'000);
  job.set_last_error("token expired");
  job.set_worker_id("w-1");
  auto* spec = job.mutable_spec();
  spec->set_queue("meetings");
  spec->set_kind("meeting.sync");
  spec->set_priority(5);
  spec->set_concurrency_key("user:42");
  spec->set_max_attempts(3);
  spec->set_payload(R"({"user":42})");
  return job;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

TEST(JobJson, UsesStateNamesAndUnixMillisWithNullForUnset) {
  const nlohmann::json json = jobToJson(sampleJob(), true);

  EXPECT_EQ(json["id"], 42);
  EXPECT_EQ(json["state"], "dead");
  EXPECT_EQ(json["created_at_ms"], kNow - 60'000);
  EXPECT_TRUE(json["started_at_ms"].is_null());
  EXPECT_TRUE(json["run_at_ms"].is_null());
  EXPECT_EQ(json["concurrency_key"], "user:42");
  EXPECT_EQ(json["last_error"], "token expired");
}

TEST(JobJson, ProgressIsAnObjectOrNull) {
  wire::Job job = sampleJob();
  EXPECT_TRUE(jobToJson(job, false)["progress"].is_null());
  job.set_has_progress(true);
  job.set_progress_percent(40);
  job.set_progress_message("downloading audio");
  const nlohmann::json json = jobToJson(job, false);
  EXPECT_EQ(json["progress"]["percent"], 40);
  EXPECT_EQ(json["progress"]["message"], "downloading audio");
}

TEST(JobJson, Utf8PayloadIsTextAndBinaryIsBase64WithAFlag) {
  wire::Job job = sampleJob();
  job.mutable_spec()->set_payload("h\xc3\xa9llo");
  job.set_result(std::string("\xff\x00\x01", 3));

  const nlohmann::json json = jobToJson(job, true);

  EXPECT_EQ(json["payload"], "h\xc3\xa9llo");
  EXPECT_EQ(json["payload_base64"], false);
  EXPECT_EQ(json["result"], "/wAB");
  EXPECT_EQ(json["result_base64"], true);
}

TEST(JobJson, ListsOmitBodiesAndGiveTheNextPage) {
  wire::ListReply reply;
  *reply.add_jobs() = sampleJob();
  reply.set_next_after_id(42);

  const nlohmann::json json = listReplyToJson(reply);

  ASSERT_EQ(json["jobs"].size(), 1u);
  EXPECT_FALSE(json["jobs"][0].contains("payload"));
  EXPECT_EQ(json["next_after_id"], 42);
  EXPECT_TRUE(listReplyToJson(wire::ListReply{})["next_after_id"].is_null());
}

TEST(JobJson, GetIncludesAttemptsWithOutcomeNames) {
  wire::GetReply reply;
  *reply.mutable_job() = sampleJob();
  auto* attempt = reply.add_attempts();
  attempt->set_attempt(1);
  attempt->set_outcome(wire::OUTCOME_RETRYABLE);
  attempt->set_error("429");

  const nlohmann::json json = getReplyToJson(reply);

  EXPECT_EQ(json["job"]["payload"], R"({"user":42})");
  ASSERT_EQ(json["attempts"].size(), 1u);
  EXPECT_EQ(json["attempts"][0]["outcome"], "retryable");
  EXPECT_TRUE(json["attempts"][0]["finished_at_ms"].is_null());
}

TEST(JobJson, DumpIsOneParseableDocument) {
  wire::GetReply reply;
  *reply.mutable_job() = sampleJob();
  const std::string text = dumpJson(getReplyToJson(reply));
  EXPECT_EQ(nlohmann::json::parse(text)["job"]["id"], 42);
  EXPECT_EQ(text.back(), '\n');
}

TEST(StatsJson, CarriesQueuesAndTotals) {
  wire::StatsReply reply;
  auto* q = reply.add_queues();
  q->set_queue("mail");
  q->set_paused(true);
  q->set_queued(3);
  (*q->mutable_queued_by_priority())[9] = 2;
  reply.set_dead_total(4);
  reply.set_broker("vm:4121 (clients at tcp://0.0.0.0:5556)");
  reply.set_owner_epoch(3);
  reply.set_owner_since_ms(1710072000000);

  const nlohmann::json json = statsToJson(reply);

  EXPECT_EQ(json["queues"][0]["queue"], "mail");
  EXPECT_EQ(json["queues"][0]["paused"], true);
  EXPECT_EQ(json["queues"][0]["queued_by_priority"]["9"], 2);
  EXPECT_EQ(json["totals"]["dead"], 4);
  EXPECT_EQ(json["broker"]["holder"], "vm:4121 (clients at tcp://0.0.0.0:5556)");
  EXPECT_EQ(json["broker"]["owner_epoch"], 3);
  EXPECT_EQ(json["broker"]["owner_since_ms"], 1710072000000);
}

TEST(Table, AlignsColumnsAndRightAlignsNumbers) {
  Table table({"ID", "NAME"});
  table.alignRight(0);
  table.addRow({"7", "short"});
  table.addRow({"1234", "a much longer name"});

  const auto rows = lines(table.render());

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "  ID  NAME");
  EXPECT_EQ(rows[1], "   7  short");
  EXPECT_EQ(rows[2], "1234  a much longer name");
}

TEST(Table, CountsCharactersNotBytes) {
  Table table({"A", "B"});
  table.addRow({"\xc3\xa9t\xc3\xa9", "x"});
  table.addRow({"abc", "y"});

  const auto rows = lines(table.render());

  EXPECT_EQ(rows[1], "\xc3\xa9t\xc3\xa9  x");
  EXPECT_EQ(rows[2], "abc  y");
}

TEST(Table, CellsCannotBreakTheLayout) {
  EXPECT_EQ(sanitizeCell("line1\nline2\t\x1b[31m"), "line1 line2  [31m");
  EXPECT_EQ(sanitizeCell("abcdefghij", 8), "abcde...");
  EXPECT_EQ(sanitizeCell("abcdefgh", 8), "abcdefgh");
}

TEST(RenderJobTable, ShowsStateNamesRelativeTimesAndAttempts) {
  wire::ListReply reply;
  *reply.add_jobs() = sampleJob();
  wire::Job delayed = sampleJob();
  delayed.set_id(43);
  delayed.set_state(wire::QUEUED);
  delayed.set_attempt(0);
  delayed.set_last_error("");
  delayed.mutable_spec()->set_run_at_ms(kNow + 60'000);
  *reply.add_jobs() = delayed;

  const auto rows = lines(renderJobTable(reply, kNow));

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].rfind("42  dead", 0), 0u) << rows[1];
  EXPECT_NE(rows[1].find("dead"), std::string::npos);
  EXPECT_NE(rows[1].find("3/3"), std::string::npos);
  EXPECT_NE(rows[1].find("5s ago"), std::string::npos);
  EXPECT_NE(rows[1].find("token expired"), std::string::npos);
  EXPECT_NE(rows[2].find("queued, runs in 1m00s"), std::string::npos);
  // Every row starts its second column at the same place.
  const size_t state_column = rows[0].find("STATE");
  EXPECT_EQ(rows[1].find("dead"), state_column);
  EXPECT_EQ(rows[2].find("queued"), state_column);
}

// docs/operations.md, "list": ATTEMPT is the attempts started out of the
// job's maximum. A job submitted without --max-attempts has its kind's
// default as its maximum, which the broker stores with the job and sends.
TEST(RenderJobTable, AttemptIsAttemptsStartedOutOfTheJobsMaximum) {
  wire::ListReply reply;
  wire::Job waiting = sampleJob();
  waiting.set_state(wire::FAILED);
  waiting.set_attempt(2);
  waiting.mutable_spec()->set_max_attempts(5);
  *reply.add_jobs() = waiting;

  const auto rows = lines(renderJobTable(reply, kNow));

  ASSERT_EQ(rows.size(), 2u);
  const size_t attempt_column = rows[0].find("ATTEMPT");
  ASSERT_NE(attempt_column, std::string::npos);
  EXPECT_EQ(rows[1].substr(attempt_column, 5), "2/5  ") << rows[1];
}

TEST(RenderJobDetail, ShowsTextPayloadsAndHidesBinaryOnes) {
  wire::GetReply reply;
  *reply.mutable_job() = sampleJob();
  reply.mutable_job()->set_result(std::string("\x00\x01\x02", 3));
  auto* attempt = reply.add_attempts();
  attempt->set_attempt(1);
  attempt->set_worker_id("w-1");
  attempt->set_started_at_ms(kNow - 10'000);
  attempt->set_finished_at_ms(kNow - 7'500);
  attempt->set_outcome(wire::OUTCOME_FATAL);
  attempt->set_error("token expired");

  const std::string text = renderJobDetail(reply, kNow);

  EXPECT_NE(text.find("state:            dead"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(payload:          {"user":42})"), std::string::npos) << text;
  EXPECT_NE(text.find("<3 bytes of binary data; use --json for base64>"), std::string::npos);
  EXPECT_NE(text.find("2023-11-14 22:12:20Z (1m00s ago)"), std::string::npos) << text;
  EXPECT_NE(text.find("ATTEMPT"), std::string::npos);
  EXPECT_NE(text.find("2s"), std::string::npos) << "attempt duration";
  EXPECT_NE(text.find("fatal"), std::string::npos);
}

TEST(DescribeProgress, ShowsPercentAndMessageOrADash) {
  wire::Job job = sampleJob();
  EXPECT_EQ(describeProgress(job), "-");
  job.set_has_progress(true);
  job.set_progress_percent(0);
  EXPECT_EQ(describeProgress(job), "0%");  // reported, even if nothing done yet
  job.set_progress_percent(40);
  job.set_progress_message("downloading\taudio");
  EXPECT_EQ(describeProgress(job), "40% downloading audio");
}

TEST(DescribeState, SaysWhenAFailedJobIsRetried) {
  wire::Job job = sampleJob();
  job.set_state(wire::FAILED);
  job.mutable_spec()->set_run_at_ms(kNow + 30'000);
  EXPECT_EQ(describeState(job, kNow), "failed, retry in 30s");
  job.set_state(wire::RUNNING);
  EXPECT_EQ(describeState(job, kNow), "running");
}

TEST(RenderStats, ShowsQueuesHighestPriorityFirstAndTotals) {
  wire::StatsReply reply;
  auto* q = reply.add_queues();
  q->set_queue("mail");
  q->set_queued(5);
  q->set_capacity(1000);
  (*q->mutable_queued_by_priority())[0] = 2;
  (*q->mutable_queued_by_priority())[9] = 3;
  reply.set_workers(2);
  reply.set_broker("vm:4121 (clients at tcp://0.0.0.0:5556)");
  reply.set_owner_epoch(3);
  reply.set_owner_since_ms(1710072000000);

  const std::string text = renderStats(reply);

  EXPECT_NE(text.find("9:3 0:2"), std::string::npos) << text;
  EXPECT_NE(text.find("active"), std::string::npos);
  EXPECT_NE(text.find("1000"), std::string::npos);
  EXPECT_NE(text.find("workers:"), std::string::npos);
  EXPECT_NE(text.find("vm:4121 (clients at tcp://0.0.0.0:5556)"), std::string::npos) << text;
  EXPECT_NE(text.find("3 since 2024-03-10 12:00:00Z"), std::string::npos) << text;
}

TEST(RenderStats, ListsKindsNoWorkerRunsOnlyWhenThereAreSome) {
  wire::StatsReply reply;
  EXPECT_EQ(renderStats(reply).find("KIND WITHOUT WORKERS"), std::string::npos);
  auto* unserved = reply.add_unserved_kinds();
  unserved->set_kind("transcribe");
  unserved->set_jobs(42);
  reply.set_handed_back_total(7);

  const std::string text = renderStats(reply);

  EXPECT_NE(text.find("KIND WITHOUT WORKERS"), std::string::npos) << text;
  EXPECT_NE(text.find("transcribe"), std::string::npos) << text;
  EXPECT_NE(text.find("42"), std::string::npos) << text;
  EXPECT_NE(text.find("handed back:"), std::string::npos) << text;
  const auto json = statsToJson(reply);
  EXPECT_EQ(json["kinds_without_workers"][0]["kind"], "transcribe");
  EXPECT_EQ(json["kinds_without_workers"][0]["jobs"], 42);
  EXPECT_EQ(json["totals"]["handed_back"], 7);
}

TEST(RenderIdOutcomes, MarksRefusals) {
  wire::IdOutcomesReply reply;
  auto* ok = reply.add_outcomes();
  ok->set_id(1);
  ok->set_ok(true);
  auto* refused = reply.add_outcomes();
  refused->set_id(2);
  refused->set_message("job 2 is succeeded, not dead");

  const auto rows = lines(renderIdOutcomes(reply, "requeued"));

  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], "ID  RESULT   MESSAGE");
  EXPECT_EQ(rows[1], " 1  ok       requeued");
  EXPECT_EQ(rows[2], " 2  refused  job 2 is succeeded, not dead");
}

TEST(TextEncoding, Base64RoundTripsEveryLength) {
  const std::string bytes("\x00\xff\x10 abc\x80", 8);
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string part = bytes.substr(0, n);
    auto decoded = base64Decode(base64Encode(part));
    ASSERT_TRUE(decoded.isOk()) << n;
    EXPECT_EQ(*decoded, part) << n;
  }
  EXPECT_EQ(base64Encode("hi"), "aGk=");
  EXPECT_FALSE(base64Decode("a*==").isOk());
}

}  // namespace
}  // namespace gantry::tools
