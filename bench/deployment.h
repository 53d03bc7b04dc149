// One Gantry deployment for one benchmark run: a fresh database in the
// benchmark's private Postgres cluster (migrated with gantryctl), a broker
// and workers as real processes on ipc:// sockets in a temp directory, a
// BrokerClient and a SQL connection for polling. The destructor stops every
// process it started, by PID, and drops the database; when it runs during
// a failure (an exception unwinding) the logs are kept and their path is
// printed.
//
// Not thread-safe: use from the benchmark's main thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gantry/net/broker_client.h"
#include "gantry/pg/pqxx_fwd.h"
#include "scraper.h"
#include "support/child_process.h"

namespace gantry::bench {

// Broker flags for every scenario whose figure does not depend on failure
// detection: logging only warnings (the broker and workers otherwise log
// a line per job), short backoffs, and a heartbeat of 200 ms x 5 so a
// worker starved of CPU for a moment on a loaded 2-core machine is not
// declared dead in the middle of a measurement. The recovery scenario uses
// the defaults instead.
extern const std::vector<std::string> kFastBrokerFlags;
// The matching worker flags.
extern const std::vector<std::string> kFastWorkerFlags;

// Describes the Postgres cluster the benchmark runs against: version and
// the settings that decide commit cost. Starts the cluster on first use.
std::string postgresDescription();

class Deployment {
 public:
  // Creates and migrates a fresh database. `label` names the temp dir.
  explicit Deployment(const std::string& label);
  ~Deployment();
  Deployment(const Deployment&) = delete;
  Deployment& operator=(const Deployment&) = delete;

  // Keeps the temp dir with the logs after a successful run too.
  static void setKeepLogs(bool keep);

  // Starts the broker with `flags` and waits until it answers stats.
  void startBroker(const std::vector<std::string>& flags);
  // Starts the broker with `flags` and returns at once; see brokerBound.
  void spawnBroker(const std::vector<std::string>& flags);
  // True once the broker has bound its client socket, so that a client
  // created now connects at once instead of at ZeroMQ's next reconnect
  // (every 100 ms). Throws BenchError if the broker has exited.
  // REQUIRES: an earlier broker was stopped by stopBroker or killBroker,
  // which remove its socket files.
  bool brokerBound();
  // SIGTERM, then waits for the broker to flush and exit (SIGKILL after 30 s).
  void stopBroker();
  // SIGKILL and reap: the broker flushes and releases nothing itself.
  void killBroker();
  pid_t brokerPid() const;
  // What the current broker has logged so far.
  std::string brokerLog() const;

  // Starts a worker without waiting for it to register; see waitForWorkers.
  // `id` becomes its --id. Returns its index for killWorker/workerPid.
  size_t startWorker(const std::string& id, uint32_t concurrency,
                     const std::vector<std::string>& flags);
  // Waits until the broker lists `count` workers.
  void waitForWorkers(size_t count, std::chrono::milliseconds timeout);
  void killWorker(size_t index);  // SIGKILL and reap
  // SIGSTOP: the worker stays connected but silent; teardown kills it.
  void freezeWorker(size_t index);
  pid_t workerPid(size_t index) const;
  std::vector<pid_t> workerPids() const;

  BrokerClient& client();
  // The postmaster and all its children.
  std::vector<pid_t> postgresPids() const;

  // SQL on this deployment's database through one persistent connection.
  void exec(const std::string& sql);
  // The first column of the first row as an integer (0 for NULL).
  int64_t scalar(const std::string& sql);
  // The first two columns of every row as integers.
  std::vector<std::pair<int64_t, int64_t>> pairs(const std::string& sql);

  // Cluster-wide write counters, for cost per job: transaction ids handed
  // out so far (every commit of the broker takes one; read-only polling
  // does not) and bytes of WAL written so far.
  struct WriteCounters {
    int64_t transactions = 0;
    int64_t wal_bytes = 0;
  };
  WriteCounters writeCounters();

  // The floor under any durable acknowledgement on this machine right now:
  // the median time of `commits` single-row INSERT commits (one WAL flush
  // each) on this deployment's database, in ms. Disk flush latency on a
  // shared virtual disk varies by an order of magnitude over minutes, so
  // scenarios that wait for commits report it next to their figures.
  double commitFloorMs(int commits);

  const std::string& dir() const { return dir_; }

 private:
  void checkBrokerAlive(const std::string& during);
  // Sends `signal` to the broker, waits for it to exit and removes its
  // socket files (see brokerBound).
  void endBroker(int signal, const char* signal_name, std::chrono::seconds timeout);
  pqxx::connection& connection();

  std::string dir_;
  std::string database_url_;
  int uncaught_at_start_;
  std::unique_ptr<test::ChildProcess> broker_;
  std::vector<std::unique_ptr<test::ChildProcess>> workers_;
  std::unique_ptr<BrokerClient> client_;
  std::unique_ptr<pqxx::connection> connection_;
  int broker_starts_ = 0;
  // With --scrape: every process serves /metrics and this fetches them.
  std::unique_ptr<Scraper> scraper_;
  // The --metrics-listen flags for a new process, registered with scraper_.
  std::vector<std::string> metricsFlags();
};

// Jobs per broker commit and WAL bytes per job between two readings.
double perCommit(size_t jobs, const Deployment::WriteCounters& before,
                 const Deployment::WriteCounters& after);
double perJob(size_t jobs, const Deployment::WriteCounters& before,
              const Deployment::WriteCounters& after);

}  // namespace gantry::bench
