// Pool-wide resource limits against the provider simulator, through real
// processes: the broker holds the buckets, workers run the `http` kind
// against the simulator's generic endpoint, and the simulator counts what
// it received. Its violation counters are the verdict.
#include <set>

#include "cluster.h"
#include "gantry/common/job_state.h"
#include "provider_sim/sim_harness.h"

namespace gantry::test {
namespace {

using sim::SimProcess;

constexpr double kRatePerS = 20;

class ResourceLimits : public ::testing::Test {
 protected:
  // A broker holding resource "work" (broker_resource), the simulator
  // enforcing 20/s on it, and `workers` workers of 4 slots whose `hammer`
  // kind POSTs to it under that resource.
  void start(const std::string& broker_resource, size_t workers) {
    sim_ = std::make_unique<SimProcess>(
        std::vector<std::string>{"--limit", "work=20/s", "--log-level", "warn"});
    cluster_.migrate();
    cluster_.startBroker({"--resource", broker_resource});
    for (size_t i = 0; i < workers; ++i) {
      cluster_.startWorker(
          4, {"--http-kind", "hammer=" + sim_->base() + "/sim/work/work,resource=work"});
    }
  }
  std::vector<uint64_t> submitHammer(int count, uint32_t max_attempts = 5) {
    std::vector<wire::JobSpec> specs;
    for (int i = 0; i < count; ++i) {
      wire::JobSpec spec = jobSpec("hammer", "{}");
      spec.set_max_attempts(max_attempts);
      specs.push_back(spec);
    }
    return cluster_.submitAll(specs);
  }
  void waitAllFinished(long count, std::chrono::seconds patience) {
    ASSERT_TRUE(Cluster::waitFor([&] { return cluster_.finishedCount() == count; }, patience))
        << "finished " << cluster_.finishedCount() << "\n"
        << cluster_.gantryctl({"stats"}).second;
  }
  wire::ResourceStats brokerResource() {
    auto stats = cluster_.client().stats();
    EXPECT_TRUE(stats.isOk());
    return stats.isOk() && stats->resources_size() == 1 ? stats->resources(0)
                                                        : wire::ResourceStats();
  }

  Cluster cluster_;
  std::unique_ptr<SimProcess> sim_;
};

class RateLimitHolds : public ResourceLimits, public ::testing::WithParamInterface<size_t> {};

// However many worker processes hammer it, the resource sees no more than
// its limit (no violation), and no less within 5 %: limit-bound, not
// worker-bound.
TEST_P(RateLimitHolds, WithNoViolationAndWithinFivePercentOfTheLimit) {
  start("work=20/s", GetParam());
  constexpr int kJobs = 120;
  submitHammer(kJobs);
  waitAllFinished(kJobs, 120s);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kJobs);
  const auto work = sim_->stats("work");
  EXPECT_EQ(work["violations"], 0) << work.dump();
  EXPECT_EQ(work["requests"], kJobs) << work.dump();
  const double span_s =
      (work["last_request_unix_ms"].get<double>() - work["first_request_unix_ms"].get<double>()) /
      1000;
  const double rate = (kJobs - 1) / span_s;
  RecordProperty("requests_per_s", std::to_string(rate));
  EXPECT_GE(rate, kRatePerS * 0.95) << "worker-bound: " << rate << "/s";
  EXPECT_LE(rate, kRatePerS * 1.05) << "over the limit: " << rate << "/s";
  EXPECT_EQ(brokerResource().granted_total(), static_cast<uint64_t>(kJobs));
}

INSTANTIATE_TEST_SUITE_P(Workers, RateLimitHolds, ::testing::Values(1, 8),
                         [](const auto& info) { return std::to_string(info.param) + "Workers"; });

// The simulator answers one 429 with Retry-After: 2. The worker that got it
// reports it, the broker holds the resource for the whole pool, and nobody
// sends to it until the time is up (the simulator counts any request that
// arrives inside the window, past the allowance for requests already in
// flight). The rate halves and recovers; every job ends succeeded.
TEST_F(ResourceLimits, A429WithRetryAfterHoldsTheWholePoolAndTheRateRecovers) {
  start("work=20/s", 4);
  ASSERT_EQ(
      sim_->addFault(
              {{"kind", "rate_limit"}, {"resource", "work"}, {"retry_after_s", 2}, {"count", 1}})
          .status,
      200);
  constexpr int kJobs = 80;
  submitHammer(kJobs);
  waitAllFinished(kJobs, 120s);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kJobs);
  const auto work = sim_->stats("work");
  EXPECT_EQ(work["sent_429"], 1) << work.dump();
  EXPECT_EQ(work["retry_after_violations"], 0) << work.dump();
  EXPECT_EQ(work["violations"], 0) << work.dump();
  const wire::ResourceStats resource = brokerResource();
  EXPECT_EQ(resource.pushbacks_total(), 1u);
  // Recovered: back to the limit, 10 % of it per second after the hold.
  EXPECT_TRUE(Cluster::waitFor([&] { return brokerResource().rate_per_s() == kRatePerS; }, 30s))
      << brokerResource().DebugString();
}

// The upstream is down (503s) for 10 s. After three failures the circuit
// opens; the queued jobs wait without burning attempts, probes find out
// when it is back, and every job succeeds. Only the failures that opened
// the circuit counted as attempts.
TEST_F(ResourceLimits, AnOutageOpensTheCircuitAndCostsTheWaitingJobsNoAttempts) {
  start("work=50/s,failures=3,open=1s", 2);
  ASSERT_EQ(sim_->addFault(
                    {{"kind", "outage"}, {"resource", "work"}, {"duration_s", 10}, {"mode", "503"}})
                .status,
            200);
  constexpr int kJobs = 40;
  submitHammer(kJobs, 3);
  ASSERT_TRUE(Cluster::waitFor([&] { return brokerResource().circuit() == "open"; }, 30s));
  waitAllFinished(kJobs, 120s);
  EXPECT_EQ(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE state = 'succeeded'"),
            kJobs)
      << "no job may die of the outage";
  EXPECT_LE(cluster_.sqlCount("SELECT count(*) FROM gantry_job_history WHERE attempt > 1"), 3)
      << "attempts counted only while the circuit was closed";
  const wire::ResourceStats resource = brokerResource();
  EXPECT_EQ(resource.circuit(), "closed");
  EXPECT_GE(resource.circuit_opened_total(), 2u) << "failed probes reopened it";
  // While open, the pool sent probes, not its backlog: 40 jobs x 3 attempts
  // would be 120 failed requests.
  const auto work = sim_->stats("work");
  EXPECT_LT(work["sent_5xx"].get<int>(), 30) << work.dump();
}

}  // namespace
}  // namespace gantry::test

namespace gantry::test {
namespace {

// The http kind over HTTPS to the simulator's self-signed certificate: a
// worker that trusts it succeeds; one that does not ends the job dead with
// the TLS failure named, instead of retrying what cannot work.
TEST(HttpsToTheSimulator, ATrustedCertificateWorksAndAnUntrustedOneIsAClearError) {
  SimProcess sim({"--log-level", "warn"}, /*tls=*/true);
  Cluster cluster;
  cluster.migrate();
  cluster.startBroker();
  const std::string url = sim.base() + "/sim/work/work";
  cluster.startWorker(
      1, {"--http-kind", "trusted=" + url, "--http-ca-file", sim.dir() + "/tls/cert.pem"});
  cluster.startWorker(1, {"--http-kind", "untrusted=" + url});
  const auto ids = cluster.submitAll({jobSpec("trusted", "{}"), jobSpec("untrusted", "{}")});
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(Cluster::waitFor([&] { return cluster.finishedCount() == 2; }, 60s));
  auto trusted = cluster.client().get(ids[0], false);
  auto untrusted = cluster.client().get(ids[1], false);
  ASSERT_TRUE(trusted.isOk() && untrusted.isOk());
  EXPECT_EQ(trusted->job().state(), wire::SUCCEEDED) << trusted->job().last_error();
  EXPECT_EQ(untrusted->job().state(), wire::DEAD);
  EXPECT_EQ(untrusted->job().attempt(), 1u);
  EXPECT_NE(untrusted->job().last_error().find("TLS"), std::string::npos)
      << untrusted->job().last_error();
}

}  // namespace
}  // namespace gantry::test
