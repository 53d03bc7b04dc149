#include "gantry/tools/batch_file.h"

#include <sstream>

#include <gtest/gtest.h>

namespace gantry::tools {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

BatchOptions options() {
  BatchOptions o;
  o.now = kNow;
  return o;
}

Result<Batch> parse(const std::string& text) {
  std::istringstream in(text);
  return parseBatch(in, "jobs.jsonl", options());
}

std::string errorOf(const std::string& text) {
  auto batch = parse(text);
  EXPECT_FALSE(batch.isOk()) << text;
  EXPECT_EQ(batch.status().code(), StatusCode::kInvalidArgument);
  return batch.status().message();
}

TEST(BatchFile, ParsesEveryField) {
  auto batch =
      parse(R"({"kind":"sync","queue":"meetings","priority":7,"payload":"hi","key":"user:1",)"
            R"("unique":"sync:1","run_at_ms":1700000999000,"max_attempts":5,"timeout_ms":30000,)"
            R"("traceparent":"00-abc-def-01"})"
            "\n");

  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  ASSERT_EQ(batch->specs.size(), 1u);
  const wire::JobSpec& spec = batch->specs[0];
  EXPECT_EQ(spec.kind(), "sync");
  EXPECT_EQ(spec.queue(), "meetings");
  EXPECT_EQ(spec.priority(), 7);
  EXPECT_EQ(spec.payload(), "hi");
  EXPECT_EQ(spec.concurrency_key(), "user:1");
  EXPECT_EQ(spec.unique_key(), "sync:1");
  EXPECT_EQ(spec.run_at_ms(), 1'700'000'999'000);
  EXPECT_EQ(spec.max_attempts(), 5u);
  EXPECT_EQ(spec.timeout_ms(), 30'000u);
  EXPECT_EQ(spec.traceparent(), "00-abc-def-01");
}

TEST(BatchFile, MissingQueueMeansTheDefaultQueue) {
  auto batch = parse(R"({"kind":"k"})");
  ASSERT_TRUE(batch.isOk());
  EXPECT_EQ(batch->specs[0].queue(), "default");
}

TEST(BatchFile, DelayIsCountedFromNow) {
  auto batch = parse(R"({"kind":"k","delay_ms":1500})");
  ASSERT_TRUE(batch.isOk());
  EXPECT_EQ(batch->specs[0].run_at_ms(), kNow + 1500);
}

TEST(BatchFile, ProtocolFieldNamesAreAcceptedToo) {
  auto batch = parse(R"({"kind":"k","concurrency_key":"c","unique_key":"u"})");
  ASSERT_TRUE(batch.isOk());
  EXPECT_EQ(batch->specs[0].concurrency_key(), "c");
  EXPECT_EQ(batch->specs[0].unique_key(), "u");
}

TEST(BatchFile, ObjectPayloadIsStoredAsCompactJson) {
  auto batch = parse(R"({"kind":"k","payload":{"user": 42}})");
  ASSERT_TRUE(batch.isOk());
  EXPECT_EQ(batch->specs[0].payload(), R"({"user":42})");
}

TEST(BatchFile, Base64PayloadCarriesBinary) {
  auto batch = parse(R"({"kind":"k","payload_base64":"/wAB"})");
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  EXPECT_EQ(batch->specs[0].payload(), std::string("\xff\x00\x01", 3));
}

TEST(BatchFile, BlankLinesAreSkippedButCounted) {
  auto batch = parse("\n{\"kind\":\"a\"}\n   \r\n{\"kind\":\"b\"}\r\n");
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  ASSERT_EQ(batch->specs.size(), 2u);
  EXPECT_EQ(batch->lines, (std::vector<int>{2, 4}));
}

TEST(BatchFile, WrongTypeNamesLineAndField) {
  EXPECT_EQ(errorOf("{\"kind\":\"a\"}\n{\"kind\":\"b\",\"priority\":\"high\"}\n"),
            "jobs.jsonl:2: priority: must be an integer in 0..9, got \"high\"");
}

TEST(BatchFile, OutOfRangeNamesLineAndField) {
  EXPECT_EQ(errorOf(R"({"kind":"b","priority":12})"),
            "jobs.jsonl:1: priority: must be an integer in 0..9, got 12");
}

// The ranges are the job limits (job_spec.h), as the matching flags say
// them, not those of the uint32 fields that carry the values.
TEST(BatchFile, RangesAreTheJobLimits) {
  const std::string attempts =
      "max_attempts: must be an integer in 0..1000 (0: the kind's default), got ";
  EXPECT_EQ(errorOf(R"({"kind":"b","max_attempts":-1})"), "jobs.jsonl:1: " + attempts + "-1");
  EXPECT_EQ(errorOf(R"({"kind":"b","max_attempts":1001})"), "jobs.jsonl:1: " + attempts + "1001");
  EXPECT_EQ(errorOf(R"({"kind":"b","max_attempts":"x"})"), "jobs.jsonl:1: " + attempts + "\"x\"");
  const std::string timeout =
      "timeout_ms: must be milliseconds in 0..86400000 (at most 24h; 0: the kind's default), got ";
  EXPECT_EQ(errorOf(R"({"kind":"b","timeout_ms":-1})"), "jobs.jsonl:1: " + timeout + "-1");
  EXPECT_EQ(errorOf(R"({"kind":"b","timeout_ms":86400001})"),
            "jobs.jsonl:1: " + timeout + "86400001");
  EXPECT_EQ(errorOf(R"({"kind":"b","timeout_ms":4294967296})"),
            "jobs.jsonl:1: " + timeout + "4294967296");
  EXPECT_EQ(errorOf(R"({"kind":"b","run_at_ms":-5})"),
            "jobs.jsonl:1: run_at_ms: must be unix milliseconds >= 0, got -5");
}

TEST(BatchFile, TheLimitsAreAccepted) {
  auto batch = parse(R"({"kind":"k","max_attempts":1000,"timeout_ms":86400000})");
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  EXPECT_EQ(batch->specs[0].max_attempts(), 1000u);
  EXPECT_EQ(batch->specs[0].timeout_ms(), 86'400'000u);
}

TEST(BatchFile, SpecRulesComeFromValidateJobSpec) {
  const std::string error = errorOf(R"({"kind":"has space"})");
  EXPECT_EQ(error.rfind("jobs.jsonl:1: kind", 0), 0u) << error;
  EXPECT_EQ(errorOf(R"({"queue":"q"})"), "jobs.jsonl:1: kind must not be empty");
}

TEST(BatchFile, InvalidJsonNamesTheLineAndColumn) {
  const std::string error = errorOf("{\"kind\":\"a\"}\n{\"kind\":\n");
  EXPECT_EQ(error.rfind("jobs.jsonl:2: not valid JSON: column", 0), 0u) << error;
}

TEST(BatchFile, ALineMustBeAnObject) {
  EXPECT_EQ(errorOf("[1,2]"),
            "jobs.jsonl:1: expected a JSON object with at least \"kind\", got array");
}

TEST(BatchFile, UnknownFieldIsAnErrorNotAPriorityOfZero) {
  const std::string error = errorOf(R"({"kind":"k","priorty":5})");
  EXPECT_EQ(error.rfind("jobs.jsonl:1: priorty: unknown field", 0), 0u) << error;
}

TEST(BatchFile, ConflictingFieldsAreErrors) {
  EXPECT_EQ(errorOf(R"({"kind":"k","delay_ms":1,"run_at_ms":5})"),
            "jobs.jsonl:1: delay_ms: give either delay_ms or run_at_ms, not both");
  EXPECT_EQ(errorOf(R"({"kind":"k","payload":"a","payload_base64":"YQ=="})"),
            "jobs.jsonl:1: payload: give either payload or payload_base64, not both");
  EXPECT_NE(errorOf(R"({"kind":"k","key":"a","concurrency_key":"b"})").find("not both"),
            std::string::npos);
}

TEST(BatchFile, NullMeansAbsent) {
  auto batch = parse(R"({"kind":"k","queue":null,"delay_ms":null})");
  ASSERT_TRUE(batch.isOk()) << batch.status().toString();
  EXPECT_EQ(batch->specs[0].queue(), "default");
  EXPECT_EQ(batch->specs[0].run_at_ms(), 0);
}

TEST(BatchFile, ReportsEveryBadLineUpToTheLimit) {
  std::string text;
  for (int i = 0; i < 25; ++i) {
    text += "{\"kind\":\"\"}\n";
  }
  const std::string error = errorOf(text);
  EXPECT_EQ(error.rfind("25 invalid lines in jobs.jsonl; nothing was submitted:\n", 0), 0u)
      << error;
  EXPECT_NE(error.find("jobs.jsonl:1: "), std::string::npos);
  EXPECT_NE(error.find("jobs.jsonl:20: "), std::string::npos);
  EXPECT_EQ(error.find("jobs.jsonl:21: "), std::string::npos);
  EXPECT_NE(error.find("... and 5 more"), std::string::npos);
}

TEST(BatchFile, AnInputWithoutJobsIsAnError) {
  EXPECT_EQ(errorOf("\n\n"), "jobs.jsonl: no jobs (expected one JSON object per line)");
}

TEST(PlanChunks, SplitsByJobCount) {
  std::vector<wire::JobSpec> specs(1200);
  auto chunks = planChunks(specs, 500, 1u << 30);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0], std::make_pair(size_t{0}, size_t{500}));
  EXPECT_EQ(chunks[1], std::make_pair(size_t{500}, size_t{1000}));
  EXPECT_EQ(chunks[2], std::make_pair(size_t{1000}, size_t{1200}));
}

TEST(PlanChunks, SplitsByBytesSoLargePayloadsFitAnEnvelope) {
  std::vector<wire::JobSpec> specs(5);
  for (auto& spec : specs) {
    spec.set_payload(std::string(400, 'x'));
  }
  // Each spec encodes to a little over 400 bytes: two fit in 1000.
  auto chunks = planChunks(specs, 500, 1000);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0], std::make_pair(size_t{0}, size_t{2}));
  EXPECT_EQ(chunks[2], std::make_pair(size_t{4}, size_t{5}));
}

TEST(PlanChunks, AJobLargerThanTheByteBudgetGoesAlone) {
  std::vector<wire::JobSpec> specs(2);
  specs[0].set_payload(std::string(2000, 'x'));
  auto chunks = planChunks(specs, 500, 1000);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0], std::make_pair(size_t{0}, size_t{1}));
}

}  // namespace
}  // namespace gantry::tools
