#include "deployment.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <iostream>
#include <pqxx/pqxx>

#include "gantry/pg/migrator.h"
#include "otlp_sink.h"
#include "process_stats.h"
#include "stop_flag.h"
#include "support/http_get.h"
#include "support/test_postgres.h"

namespace gantry::bench {

using namespace std::chrono_literals;

const std::vector<std::string> kFastBrokerFlags = {
    "--heartbeat-ms",   "200",   "--liveness",       "5",   "--backoff-base-ms",   "20",
    "--backoff-cap-ms", "200",   "--lease-grace-ms", "500", "--recovery-grace-ms", "1500",
    "--db-wait-ms",     "10000", "--log-level",      "warn"};
const std::vector<std::string> kFastWorkerFlags = {"--heartbeat-ms", "200", "--liveness", "5",
                                                   "--log-level",    "warn"};

namespace {

bool g_keep_logs = false;

std::string lastLines(const std::string& text, size_t max_chars = 1500) {
  return text.size() <= max_chars ? text : "..." + text.substr(text.size() - max_chars);
}

// The shared throwaway cluster with Postgres's own defaults for the settings
// the test harness shortens: the harness checkpoints every 30 s and uses a
// 64 MB buffer pool, which would make the write-heavy scenarios measure
// checkpoints rather than Gantry. fsync and synchronous_commit stay on.
test::TestPostgres& cluster() {
  static bool tuned = false;
  test::TestPostgres& pg = test::TestPostgres::shared();
  if (!tuned) {
    const std::string admin = pg.conninfo("postgres");
    for (const char* setting : {"ALTER SYSTEM SET shared_buffers = '128MB'",
                                "ALTER SYSTEM SET checkpoint_timeout = '5min'",
                                "ALTER SYSTEM SET max_wal_size = '2GB'"}) {
      if (auto r = pg.psql(admin, setting); !r.isOk()) {
        throw BenchError("tuning the benchmark cluster failed: " + r.status().message());
      }
    }
    pg.restart();
    tuned = true;
  }
  return pg;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) {
    s.pop_back();
  }
  return s;
}

// With --trace, the processes export their spans to the bench's sink.
std::map<std::string, std::string> tracingEnvironment() {
  OtlpSink* sink = OtlpSink::active();
  return sink != nullptr ? sink->environment() : std::map<std::string, std::string>{};
}

}  // namespace

std::string postgresDescription() {
  test::TestPostgres& pg = cluster();
  auto r = pg.psql(pg.conninfo("postgres"),
                   "SELECT current_setting('server_version') || ', fsync=' || "
                   "current_setting('fsync') || ', synchronous_commit=' || "
                   "current_setting('synchronous_commit') || ', shared_buffers=' || "
                   "current_setting('shared_buffers') || ', checkpoint_timeout=' || "
                   "current_setting('checkpoint_timeout') || ', wal_sync_method=' || "
                   "current_setting('wal_sync_method')");
  return r.isOk() ? "PostgreSQL " + trim(r.value()) : "PostgreSQL (unknown settings)";
}

void Deployment::setKeepLogs(bool keep) { g_keep_logs = keep; }

Deployment::Deployment(const std::string& label) : uncaught_at_start_(std::uncaught_exceptions()) {
  std::string pattern = "/tmp/gantry-bench-" + label + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw BenchError("mkdtemp failed for " + pattern);
  }
  dir_ = pattern;
  database_url_ = cluster().createDatabase();
  test::ChildProcess ctl(test::builtBinary("tools/gantryctl"), {"migrate", "up"},
                         {{"DATABASE_URL", database_url_}}, dir_ + "/migrate.log");
  const auto code = ctl.waitExit(60s);
  if (code != 0) {
    throw BenchError("gantryctl migrate up failed:\n" + lastLines(ctl.log()));
  }
}

std::vector<std::string> Deployment::metricsFlags() {
  if (!Scraper::enabled()) {
    return {};
  }
  if (!scraper_) {
    scraper_ = std::make_unique<Scraper>();
  }
  const int port = test::freeLoopbackPort();
  scraper_->add(port);
  return {"--metrics-listen", "127.0.0.1:" + std::to_string(port)};
}

Deployment::~Deployment() {
  const bool failed = std::uncaught_exceptions() > uncaught_at_start_;
  scraper_.reset();
  client_.reset();
  connection_.reset();
  for (auto& worker : workers_) {
    worker->signal(SIGKILL);
    (void)worker->waitExit(10s);
  }
  workers_.clear();
  if (broker_ != nullptr && broker_->running()) {
    broker_->signal(SIGTERM);
    (void)broker_->waitExit(30s);  // SIGKILL in the destructor if it did not exit
  }
  broker_.reset();
  try {
    cluster().dropDatabase(database_url_);
  } catch (const std::exception& e) {
    std::cerr << "gantry-bench: " << e.what() << "\n";
  }
  if (failed || g_keep_logs) {
    std::cerr << "gantry-bench: logs kept in " << dir_ << "\n";
  } else {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void Deployment::startBroker(const std::vector<std::string>& flags) {
  spawnBroker(flags);
  waitUntil(
      [&] {
        checkBrokerAlive("start-up");
        wire::Envelope request;
        request.mutable_stats();
        return client().call(request, 200ms).isOk();
      },
      60s, 10ms, "the broker to answer stats");
}

void Deployment::spawnBroker(const std::vector<std::string>& flags) {
  const std::string log = dir_ + "/broker-" + std::to_string(++broker_starts_) + ".log";
  std::vector<std::string> args = flags;
  const auto metrics = metricsFlags();
  args.insert(args.end(), metrics.begin(), metrics.end());
  std::map<std::string, std::string> env = tracingEnvironment();
  env["DATABASE_URL"] = database_url_;
  env["GANTRY_WORKER_ENDPOINT"] = "ipc://" + dir_ + "/workers";
  env["GANTRY_CLIENT_ENDPOINT"] = "ipc://" + dir_ + "/clients";
  broker_ = std::make_unique<test::ChildProcess>(test::builtBinary("broker/gantry-broker"), args,
                                                 env, log);
  client_.reset();  // a fresh client, so no reply from an earlier broker lingers
}

bool Deployment::brokerBound() {
  checkBrokerAlive("start-up");
  std::error_code ec;
  return std::filesystem::exists(dir_ + "/clients", ec);
}

void Deployment::stopBroker() { endBroker(SIGTERM, "SIGTERM", 30s); }

void Deployment::killBroker() { endBroker(SIGKILL, "SIGKILL", 10s); }

void Deployment::endBroker(int signal, const char* signal_name, std::chrono::seconds timeout) {
  if (broker_ == nullptr) {
    return;
  }
  broker_->signal(signal);
  if (!broker_->waitExit(timeout)) {
    throw BenchError("the broker did not exit within " + std::to_string(timeout.count()) +
                     " s of " + signal_name);
  }
  client_.reset();
  // A killed broker leaves its ipc socket files behind; once they are gone,
  // a socket file means that the next broker has bound (brokerBound).
  std::error_code ec;
  for (const char* socket : {"/workers", "/clients"}) {
    std::filesystem::remove(dir_ + socket, ec);
  }
}

pid_t Deployment::brokerPid() const { return broker_ != nullptr ? broker_->pid() : 0; }

std::string Deployment::brokerLog() const { return broker_ != nullptr ? broker_->log() : ""; }

void Deployment::checkBrokerAlive(const std::string& during) {
  if (broker_ == nullptr || !broker_->running()) {
    throw BenchError("the broker exited during " + during + ":\n" +
                     (broker_ != nullptr ? lastLines(broker_->log()) : std::string()));
  }
}

size_t Deployment::startWorker(const std::string& id, uint32_t concurrency,
                               const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"--concurrency", std::to_string(concurrency), "--id", id};
  args.insert(args.end(), flags.begin(), flags.end());
  const auto metrics = metricsFlags();
  args.insert(args.end(), metrics.begin(), metrics.end());
  std::map<std::string, std::string> env = tracingEnvironment();
  env["GANTRY_WORKER_ENDPOINT"] = "ipc://" + dir_ + "/workers";
  workers_.push_back(std::make_unique<test::ChildProcess>(
      test::builtBinary("worker/gantry-worker"), args, env, dir_ + "/worker-" + id + ".log"));
  return workers_.size() - 1;
}

void Deployment::waitForWorkers(size_t count, std::chrono::milliseconds timeout) {
  waitUntil(
      [&] {
        checkBrokerAlive("worker registration");
        auto stats = client().stats();
        return stats.isOk() && stats->workers() >= count;
      },
      timeout, 10ms, std::to_string(count) + " worker(s) to register");
}

void Deployment::killWorker(size_t index) {
  workers_.at(index)->signal(SIGKILL);
  if (!workers_.at(index)->waitExit(10s)) {
    throw BenchError("worker did not die after SIGKILL");
  }
}

void Deployment::freezeWorker(size_t index) { workers_.at(index)->signal(SIGSTOP); }

pid_t Deployment::workerPid(size_t index) const { return workers_.at(index)->pid(); }

std::vector<pid_t> Deployment::workerPids() const {
  std::vector<pid_t> pids;
  for (const auto& w : workers_) {
    pids.push_back(w->pid());
  }
  return pids;
}

BrokerClient& Deployment::client() {
  if (client_ == nullptr) {
    BrokerClientOptions options;
    options.endpoint = "ipc://" + dir_ + "/clients";
    options.request_timeout = 30s;
    auto connected = BrokerClient::connect(options);
    if (!connected.isOk()) {
      throw BenchError(connected.status().toString());
    }
    client_ = std::make_unique<BrokerClient>(std::move(connected.value()));
  }
  return *client_;
}

std::vector<pid_t> Deployment::postgresPids() const { return withChildren(cluster().pid()); }

pqxx::connection& Deployment::connection() {
  if (connection_ == nullptr) {
    auto opened = pg::openConnection(database_url_);
    if (!opened.isOk()) {
      throw BenchError(opened.status().toString());
    }
    connection_ = std::move(opened.value());
  }
  return *connection_;
}

void Deployment::exec(const std::string& sql) {
  try {
    pqxx::nontransaction tx(connection());
    tx.exec(sql);
  } catch (const std::exception& e) {
    throw BenchError("SQL failed: " + std::string(e.what()) + "\n  in: " + sql.substr(0, 300));
  }
}

int64_t Deployment::scalar(const std::string& sql) {
  try {
    pqxx::nontransaction tx(connection());
    const pqxx::result r = tx.exec(sql);
    if (r.empty() || r[0][0].is_null()) {
      return 0;
    }
    return r[0][0].as<int64_t>();
  } catch (const std::exception& e) {
    throw BenchError("SQL failed: " + std::string(e.what()) + "\n  in: " + sql.substr(0, 300));
  }
}

Deployment::WriteCounters Deployment::writeCounters() {
  const auto row = pairs(
      "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,"
      " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  return row.empty() ? WriteCounters{} : WriteCounters{row[0].first, row[0].second};
}

double Deployment::commitFloorMs(int commits) {
  exec("CREATE TABLE IF NOT EXISTS bench_commit_probe (n integer)");
  std::vector<double> ms;
  for (int i = 0; i < commits; ++i) {
    const auto start = std::chrono::steady_clock::now();
    exec("INSERT INTO bench_commit_probe VALUES (" + std::to_string(i) + ")");
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  exec("DROP TABLE bench_commit_probe");
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::vector<std::pair<int64_t, int64_t>> Deployment::pairs(const std::string& sql) {
  try {
    pqxx::nontransaction tx(connection());
    const pqxx::result r = tx.exec(sql);
    std::vector<std::pair<int64_t, int64_t>> out;
    out.reserve(r.size());
    for (const auto& row : r) {
      out.emplace_back(row[0].as<int64_t>(), row[1].as<int64_t>());
    }
    return out;
  } catch (const std::exception& e) {
    throw BenchError("SQL failed: " + std::string(e.what()) + "\n  in: " + sql.substr(0, 300));
  }
}

double perCommit(size_t jobs, const Deployment::WriteCounters& before,
                 const Deployment::WriteCounters& after) {
  const int64_t commits = after.transactions - before.transactions;
  return commits > 0 ? static_cast<double>(jobs) / static_cast<double>(commits) : 0;
}

double perJob(size_t jobs, const Deployment::WriteCounters& before,
              const Deployment::WriteCounters& after) {
  return static_cast<double>(after.wal_bytes - before.wal_bytes) / static_cast<double>(jobs);
}

}  // namespace gantry::bench
