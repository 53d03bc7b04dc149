// Submission rules: validation, unique keys, capacity, write batching.
#include "core_harness.h"

namespace gantry::broker::testing {
namespace {

TEST(Submit, InvalidSpecIsRefusedAndChangesNothing) {
  CoreHarness h;
  auto good = h.spec("noop");
  auto bad = h.spec("");
  auto reply = h.submitMany({good, bad});
  ASSERT_FALSE(reply.isOk());
  EXPECT_EQ(reply.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reply.status().message().find("job 1: kind"), std::string::npos);
  EXPECT_EQ(h.core().liveJobs(), 0u);
  EXPECT_TRUE(h.inserts().empty());
}

TEST(Submit, PriorityOutOfRangeIsRefused) {
  CoreHarness h;
  auto reply = h.submitMany({h.spec("noop", 10)});
  ASSERT_FALSE(reply.isOk());
  EXPECT_NE(reply.status().message().find("priority"), std::string::npos);
}

TEST(Submit, OversizedPayloadIsRefused) {
  BrokerConfig config;
  config.limits.max_payload_bytes = 16;
  CoreHarness h(config);
  auto s = h.spec("noop");
  s.set_payload(std::string(17, 'x'));
  auto reply = h.submitMany({s});
  ASSERT_FALSE(reply.isOk());
  EXPECT_NE(reply.status().message().find("payload"), std::string::npos);
}

TEST(Submit, UniqueKeyReturnsTheLiveJobsId) {
  CoreHarness h;
  auto s = h.spec("noop");
  s.set_unique_key("sync:user:1");
  const uint64_t first = h.submit(s);
  auto again = h.submitMany({s, s});
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->ids(0), first);
  EXPECT_TRUE(again->duplicate(0));
  EXPECT_EQ(again->ids(1), first);
  EXPECT_EQ(h.core().liveJobs(), 1u);
  // Once the job is final the key is free again.
  h.hello("w1", 1, {"noop"});
  h.result(h.takeAssigned().at(0), wire::OUTCOME_SUCCEEDED);
  const uint64_t second = h.submit(s);
  EXPECT_NE(second, first);
}

TEST(Submit, UniqueKeyTwiceInOneBatchCreatesOneJob) {
  CoreHarness h;
  auto s = h.spec("noop");
  s.set_unique_key("k");
  auto reply = h.submitMany({s, s});
  ASSERT_TRUE(reply.isOk());
  EXPECT_EQ(reply->ids(0), reply->ids(1));
  EXPECT_FALSE(reply->duplicate(0));
  EXPECT_TRUE(reply->duplicate(1));
}

TEST(Submit, FullQueueRefusesWithItsNameAndCapacity) {
  BrokerConfig config;
  config.queue_capacities = {{"episodes", 2}};
  CoreHarness h(config);
  auto s = h.spec("noop");
  s.set_queue("episodes");
  h.submit(s);
  h.submit(s);
  auto reply = h.submitMany({s});
  ASSERT_FALSE(reply.isOk());
  EXPECT_EQ(reply.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(reply.status().message().find("'episodes'"), std::string::npos);
  EXPECT_NE(reply.status().message().find("capacity 2"), std::string::npos);
  // Other queues are unaffected.
  EXPECT_TRUE(h.submitMany({h.spec("noop")}).isOk());
}

// What a revive may still put into each queue: capacity minus live jobs.
TEST(Submit, QueueRoomForARevivesCountsTheJobsAlreadyThere) {
  BrokerConfig config;
  config.queue_capacities = {{"episodes", 3}};
  config.default_queue_capacity = 1;
  CoreHarness h(config);
  auto s = h.spec("noop");
  s.set_queue("episodes");
  h.submit(s);
  h.submit(s);
  QueueRoom room = h.core().queueRoom();
  EXPECT_TRUE(room.take("episodes").isOk());
  const Status full = room.take("episodes");
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full.message(), "queue 'episodes' is full: 3 jobs of capacity 3");
  EXPECT_TRUE(room.take("meetings").isOk());  // empty: the default capacity
  EXPECT_FALSE(room.take("meetings").isOk());
}

TEST(Submit, DefaultsComeFromTheKindPolicy) {
  BrokerConfig config;
  config.kind_policies["sync"] = KindPolicy{{10, 100}, 7, 1234};
  CoreHarness h(config);
  const uint64_t id = h.submit(h.spec("sync"));
  auto job = h.core().findActive(id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->spec().max_attempts(), 7u);
  EXPECT_EQ(job->spec().timeout_ms(), 1234u);
  EXPECT_EQ(job->spec().queue(), "default");
}

// Accepted, but the submitter is told: nothing will run the job until a
// worker that runs its kind connects. Stats keep listing such kinds.
TEST(Submit, AKindNoConnectedWorkerRunsIsAcceptedWithAWarning) {
  CoreHarness h;
  h.hello("w1", 1, {"noop"});
  wire::SubmitRequest request;
  *request.add_jobs() = h.spec("transcribe");
  *request.add_jobs() = h.spec("transcribe");
  *request.add_jobs() = h.spec("noop");
  auto reply = h.core().submit(request, h.now());
  ASSERT_TRUE(reply.isOk());
  ASSERT_EQ(reply->ids_size(), 3);
  ASSERT_EQ(reply->warnings_size(), 1);
  EXPECT_NE(reply->warnings(0).find("no connected worker runs kind 'transcribe'"),
            std::string::npos);
  const wire::StatsReply stats = h.core().stats(h.now());
  ASSERT_EQ(stats.unserved_kinds_size(), 1);
  EXPECT_EQ(stats.unserved_kinds(0).kind(), "transcribe");
  EXPECT_EQ(stats.unserved_kinds(0).jobs(), 2u);

  h.hello("w2", 2, {"transcribe"});
  EXPECT_EQ(h.core().stats(h.now()).unserved_kinds_size(), 0);
  auto again = h.core().submit(request, h.now());
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(again->warnings_size(), 0);
}

TEST(WriteBatchCoalescing, InsertThenFinishBecomesOneFinalRow) {
  WriteBatch batch;
  JobRow row;
  row.id = 1;
  batch.addInsert(row);
  JobTransition t;
  t.id = 1;
  t.status.state = wire::SUCCEEDED;
  t.status.finished_at_ms = 5;
  batch.addTransition(t);
  ASSERT_EQ(batch.inserts().size(), 1u);
  EXPECT_EQ(batch.inserts()[0].status.state, wire::SUCCEEDED);
  EXPECT_EQ(batch.inserts()[0].status.finished_at_ms, 5);
  EXPECT_TRUE(batch.transitions().empty());
}

TEST(WriteBatchCoalescing, LaterTransitionReplacesEarlierOne) {
  WriteBatch batch;
  JobTransition running;
  running.id = 3;
  running.status.state = wire::RUNNING;
  batch.addTransition(running);
  JobTransition done = running;
  done.status.state = wire::DEAD;
  batch.addTransition(done);
  ASSERT_EQ(batch.transitions().size(), 1u);
  EXPECT_EQ(batch.transitions()[0].status.state, wire::DEAD);
}

// What decides whether a batch may skip the transaction block (see
// batch_writer.cpp): new jobs alone, none final, nothing else.
TEST(WriteBatchCoalescing, OnlyNewJobsUntilAnythingElseJoins) {
  JobRow queued;
  queued.id = 1;
  queued.status.state = wire::QUEUED;
  JobRow running = queued;
  running.id = 2;
  running.status.state = wire::RUNNING;
  WriteBatch batch;
  batch.addInsert(queued);
  batch.addInsert(running);
  EXPECT_TRUE(batch.onlyNewJobs());

  WriteBatch with_final = batch;
  JobRow dead = queued;
  dead.id = 3;
  dead.status.state = wire::DEAD;
  with_final.addInsert(dead);
  EXPECT_FALSE(with_final.onlyNewJobs());

  WriteBatch with_transition = batch;
  JobTransition t;
  t.id = 9;
  t.status.state = wire::RUNNING;
  with_transition.addTransition(t);
  EXPECT_FALSE(with_transition.onlyNewJobs());

  WriteBatch with_attempt = batch;
  with_attempt.addAttempt(AttemptRow{});
  EXPECT_FALSE(with_attempt.onlyNewJobs());

  WriteBatch with_setting = batch;
  with_setting.addQueueSetting({"q", true});
  EXPECT_FALSE(with_setting.onlyNewJobs());
}

TEST(WriteBatchCoalescing, AbsorbedIntoAnEmptyBatchKeepsCoalescing) {
  WriteBatch later;
  JobRow row;
  row.id = 4;
  later.addInsert(row);
  WriteBatch merged;
  merged.absorb(std::move(later));
  JobTransition done;
  done.id = 4;
  done.status.state = wire::SUCCEEDED;
  merged.addTransition(done);
  ASSERT_EQ(merged.inserts().size(), 1u);
  EXPECT_EQ(merged.inserts()[0].status.state, wire::SUCCEEDED);
  EXPECT_TRUE(merged.transitions().empty());
}

}  // namespace
}  // namespace gantry::broker::testing
