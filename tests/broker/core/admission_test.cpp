// Admission as a list of gates: each answers for whole lanes, so one that
// refuses leaves every other lane to run, and a new condition is one more
// gate in the list.
#include "gantry/broker/core/admission.h"

#include <gtest/gtest.h>

#include "gantry/broker/core/lanes.h"

namespace gantry::broker {
namespace {

// Refuses one kind, as a rate limit or an open circuit breaker will.
class RefuseKind final : public AdmissionGate {
 public:
  explicit RefuseKind(uint32_t kind) : kind_(kind) {}
  std::string_view name() const override { return "refuse kind"; }
  bool admits(const LiveJob& job) const override { return job.kind != kind_; }

 private:
  uint32_t kind_;
};

class AdmissionTest : public ::testing::Test {
 protected:
  LiveJob& runnable(uint32_t queue, uint32_t kind, int64_t rank) {
    LiveJob& job = jobs_.create();
    job.queue = queue;
    job.kind = kind;
    job.rank = rank;
    lanes_.place(job);
    return job;
  }

  JobIndex jobs_;
  QueueTable queues_;
  Lanes lanes_{jobs_};
  Admission admission_;
};

TEST_F(AdmissionTest, AGateThatRefusesALaneLeavesTheOthersToRun) {
  const LiveJob& refused = runnable(0, 1, 10);  // the best rank, but refused
  const LiveJob& other = runnable(0, 2, 20);
  admission_.add(std::make_unique<RefuseKind>(1));
  EXPECT_EQ(admission_.refusing(refused)->name(), "refuse kind");
  EXPECT_EQ(admission_.refusing(other), nullptr);
  const uint64_t other_id = other.id;
  EXPECT_EQ(lanes_.popBest({1, 2}, admission_)->id, other_id);
  EXPECT_EQ(lanes_.popBest({1, 2}, admission_), nullptr);
}

TEST_F(AdmissionTest, GatesAreAskedInOrderAndTheFirstRefusalIsNamed) {
  queues_.at(0).paused = true;
  const LiveJob& job = runnable(0, 1, 10);
  admission_.add(std::make_unique<PauseGate>(queues_));
  admission_.add(std::make_unique<RefuseKind>(1));
  EXPECT_EQ(admission_.refusing(job)->name(), "paused");
  queues_.at(0).paused = false;
  EXPECT_EQ(admission_.refusing(job)->name(), "refuse kind");
}

TEST_F(AdmissionTest, TheKindCapCountsStartsAndStops) {
  BrokerConfig config;
  config.kind_limits = {{"transcribe", 1}};
  NameTable names;
  const uint32_t kind = names.intern("transcribe");
  KindCapGate cap(config, names);
  LiveJob& job = runnable(0, kind, 1);
  EXPECT_TRUE(cap.admits(job));
  cap.onStarted(job);
  EXPECT_FALSE(cap.admits(job));
  cap.onStopped(job);
  EXPECT_TRUE(cap.admits(job));
}

}  // namespace
}  // namespace gantry::broker
