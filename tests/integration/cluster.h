// A whole Gantry deployment for one integration test: a fresh database in
// the shared throwaway Postgres cluster, migrated with gantryctl, a broker
// and workers as real processes on ipc:// sockets in a temp directory, and a
// BrokerClient. Everything is stopped by PID when the test ends.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "gantry/net/broker_client.h"
#include "support/child_process.h"
#include "support/test_postgres.h"

namespace gantry::test {

using namespace std::chrono_literals;

// Fast heartbeats and short backoffs keep the tests quick; the semantics
// under test are the same as with the defaults. The liveness window (1 s)
// stays wide enough that a CPU-starved worker on a busy 2-core machine is
// not declared dead by mistake, which would add attempts the tests count.
inline const std::vector<std::string> kFastBrokerFlags = {
    "--backoff-base-ms",   "20",   "--backoff-cap-ms", "200", "--lease-grace-ms", "500",
    "--recovery-grace-ms", "3000", "--log-level",      "warn"};
inline const std::vector<std::string> kFastHeartbeatFlags = {"--heartbeat-ms", "200", "--liveness",
                                                             "5"};
// So slow that, within a test's patience, only a closed connection noticed
// at once can reveal a lost worker: the broker's periodic look at closed
// connections (every heartbeat / 10) comes at start and then a minute later.
inline const std::vector<std::string> kSlowHeartbeatFlags = {"--heartbeat-ms", "600000",
                                                             "--liveness", "5"};

class Cluster {
 public:
  Cluster() {
    char tmpl[] = "/tmp/gantry-it-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    database_url_ = TestPostgres::shared().createDatabase();
  }
  ~Cluster() {
    workers_.clear();
    broker_.reset();
    if (!::testing::Test::HasFailure()) {
      std::filesystem::remove_all(dir_);
    } else {
      std::cerr << "logs kept in " << dir_ << "\n";
    }
  }

  const std::string& databaseUrl() const { return database_url_; }
  std::string workerEndpoint() const { return "ipc://" + dir_ + "/workers"; }
  std::string clientEndpoint() const { return "ipc://" + dir_ + "/clients"; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs gantryctl to completion; returns its exit code and output.
  std::pair<int, std::string> gantryctl(const std::vector<std::string>& args) {
    const std::string log = path("gantryctl-" + std::to_string(++ctl_runs_) + ".log");
    ChildProcess ctl(
        builtBinary("tools/gantryctl"), args,
        {{"DATABASE_URL", database_url_}, {"GANTRY_CLIENT_ENDPOINT", clientEndpoint()}}, log);
    auto code = ctl.waitExit(60s);
    return {code.value_or(-1), ctl.log()};
  }

  void migrate() {
    auto [code, output] = gantryctl({"migrate", "up"});
    ASSERT_EQ(code, 0) << output;
  }

  // Starts the broker and waits until it answers a stats request.
  // Heartbeat flags for the broker and the workers started afterwards.
  void useSlowHeartbeats() { heartbeat_flags_ = kSlowHeartbeatFlags; }
  // The defaults (1 s x 3), for scenarios whose timing depends on them.
  void useDefaultHeartbeats() { heartbeat_flags_.clear(); }
  // For workers started afterwards; "warn" keeps most tests' logs short.
  void setWorkerLogLevel(std::string level) { worker_log_level_ = std::move(level); }
  // Environment for every broker and worker started afterwards.
  void setProcessEnv(std::map<std::string, std::string> env) { process_env_ = std::move(env); }

  void startBroker(std::vector<std::string> extra = {}) {
    broker_ = launchBroker("broker.log", workerEndpoint(), clientEndpoint(), std::move(extra));
    client_.reset();
    ASSERT_TRUE(waitFor([&] { return client().stats().isOk(); }, 30s)) << "broker did not answer:\n"
                                                                       << broker_->log();
  }

  // Starts a broker on this cluster's database without waiting for it, e.g.
  // a second one that must wait while the first owns the database.
  std::unique_ptr<ChildProcess> launchBroker(const std::string& log_name,
                                             const std::string& worker_endpoint,
                                             const std::string& client_endpoint,
                                             std::vector<std::string> extra = {}) {
    std::vector<std::string> args = heartbeat_flags_;
    args.insert(args.end(), kFastBrokerFlags.begin(), kFastBrokerFlags.end());
    args.insert(args.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> env = process_env_;
    env["DATABASE_URL"] = database_url_;
    env["GANTRY_WORKER_ENDPOINT"] = worker_endpoint;
    env["GANTRY_CLIENT_ENDPOINT"] = client_endpoint;
    return std::make_unique<ChildProcess>(builtBinary("broker/gantry-broker"), args, env,
                                          path(log_name));
  }

  // Starts a worker and waits until the broker lists it.
  ChildProcess& startWorker(uint32_t concurrency, std::vector<std::string> extra = {}) {
    const size_t before = workerCount();
    std::vector<std::string> args = {"--concurrency", std::to_string(concurrency),
                                     "--id",          "w" + std::to_string(workers_.size() + 1),
                                     "--log-level",   worker_log_level_};
    args.insert(args.end(), heartbeat_flags_.begin(), heartbeat_flags_.end());
    args.insert(args.end(), extra.begin(), extra.end());
    std::map<std::string, std::string> env = process_env_;
    env["GANTRY_WORKER_ENDPOINT"] = workerEndpoint();
    workers_.push_back(std::make_unique<ChildProcess>(
        builtBinary("worker/gantry-worker"), args, env,
        path("worker-" + std::to_string(workers_.size() + 1) + ".log")));
    EXPECT_TRUE(waitFor([&] { return workerCount() > before; }, 30s))
        << "worker did not register:\n"
        << workers_.back()->log();
    return *workers_.back();
  }

  size_t workerCount() {
    auto stats = client().stats();
    return stats.isOk() ? stats->workers() : 0;
  }

  ChildProcess& broker() { return *broker_; }
  ChildProcess& worker(size_t i) { return *workers_.at(i); }

  BrokerClient& client() {
    if (!client_) {
      BrokerClientOptions options;
      options.endpoint = clientEndpoint();
      options.request_timeout = 5s;
      auto connected = BrokerClient::connect(options);
      if (!connected.isOk()) {
        throw std::runtime_error(connected.status().toString());
      }
      client_ = std::make_unique<BrokerClient>(std::move(connected.value()));
    }
    return *client_;
  }
  // A fresh client, e.g. after a broker restart left replies in flight.
  void resetClient() { client_.reset(); }

  // Rows as returned by psql (unaligned, '|' separated).
  std::string sql(const std::string& query) {
    auto out = TestPostgres::shared().psql(database_url_, query);
    if (!out.isOk()) {
      ADD_FAILURE() << out.status().toString();
      return "";
    }
    return out.value();
  }
  long sqlCount(const std::string& query) {
    const std::string out = sql(query);
    return out.empty() ? -1 : std::stol(out);
  }

  // Polls `condition` until it holds or `timeout` passes.
  static bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // Submits in chunks; returns every acknowledged id.
  std::vector<uint64_t> submitAll(const std::vector<wire::JobSpec>& specs, size_t chunk = 500) {
    std::vector<uint64_t> ids;
    for (size_t i = 0; i < specs.size(); i += chunk) {
      const auto part = std::span(specs).subspan(i, std::min(chunk, specs.size() - i));
      auto reply = client().submit({part.begin(), part.end()});
      EXPECT_TRUE(reply.isOk()) << reply.status().toString();
      if (reply.isOk()) {
        ids.insert(ids.end(), reply->ids().begin(), reply->ids().end());
      }
    }
    return ids;
  }

  // Finished jobs recorded in history.
  long finishedCount() { return sqlCount("SELECT count(*) FROM gantry_job_history"); }
  long activeCount() { return sqlCount("SELECT count(*) FROM gantry_jobs"); }

 private:
  std::string dir_;
  std::string database_url_;
  std::vector<std::string> heartbeat_flags_ = kFastHeartbeatFlags;
  std::string worker_log_level_ = "warn";
  std::map<std::string, std::string> process_env_;
  std::unique_ptr<ChildProcess> broker_;
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  std::unique_ptr<BrokerClient> client_;
  int ctl_runs_ = 0;
};

inline wire::JobSpec jobSpec(const std::string& kind, const std::string& payload = "",
                             int priority = 0, const std::string& key = "") {
  wire::JobSpec spec;
  spec.set_kind(kind);
  spec.set_payload(payload);
  spec.set_priority(priority);
  spec.set_concurrency_key(key);
  return spec;
}

}  // namespace gantry::test
