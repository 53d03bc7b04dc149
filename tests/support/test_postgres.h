// A throwaway Postgres cluster for tests: one per test process, started
// lazily by the first shared() call and removed at process exit.
//
// The cluster lives in a fresh temp directory, listens only on a unix socket
// in that directory (listen_addresses = ''), and keeps fsync and
// synchronous_commit on so tests see real durability semantics. Postgres
// refuses to run as root, so under root the server runs as the `postgres`
// system user (runuser) and the temp directory belongs to it. Clients
// connect as user postgres over the socket with trust authentication.
//
// Start-up copies a cached, freshly initdb'd data directory (built once per
// machine under a file lock) because initdb costs most of a second and
// ctest runs every test in its own process. A watchdog process stops the
// server and deletes the directory even if the test process crashes.
//
// Not thread-safe: use from the test's main thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "gantry/common/status.h"

namespace gantry::test {

class TestPostgres {
 public:
  // The process-wide cluster, started on first use. Throws std::runtime_error
  // (with the server log's tail) when the cluster cannot be started, which
  // fails the calling test with that message.
  static TestPostgres& shared();

  ~TestPostgres();
  TestPostgres(const TestPostgres&) = delete;
  TestPostgres& operator=(const TestPostgres&) = delete;

  // Creates a fresh, empty database with a unique name and returns its libpq
  // conninfo: "host=<socketDir> port=<port> dbname=<name> user=postgres".
  // Usable as DATABASE_URL for spawned processes.
  std::string createDatabase();

  // Drops the database named in `conninfo`, disconnecting its clients.
  // Tests that create many databases drop them so the cluster stays small
  // (a restart or crash recovery syncs every file of every database).
  void dropDatabase(const std::string& conninfo);

  // The conninfo of an existing database of this cluster.
  std::string conninfo(const std::string& database) const;
  std::string socketDir() const { return dir_; }
  int port() const { return kPort; }

  // Runs `sql` (one or more statements) with psql against `conninfo`, stopping
  // at the first error. Returns the output rows, unaligned with '|' between
  // columns and '\n' after each row, or kInternal with psql's message.
  Result<std::string> psql(const std::string& conninfo, const std::string& sql) const;

  enum class StopMode {
    kFast,       // clients are disconnected, a shutdown checkpoint is written
    kImmediate,  // like a crash: no checkpoint, the next start replays WAL
  };

  // Server control for tests of connection loss and restarts. stop() waits
  // until the server is down; start() waits until it accepts connections.
  // Both throw std::runtime_error on failure.
  void stop(StopMode mode = StopMode::kFast);
  void start();
  void restart(StopMode mode = StopMode::kFast);
  bool running() const { return running_; }
  // The postmaster's pid, 0 when stopped.
  pid_t pid() const;

  // Disconnects every client of the database named in `conninfo`
  // (pg_terminate_backend), as a crash or failover would.
  void terminateConnections(const std::string& conninfo) const;

 private:
  static constexpr int kPort = 5432;

  TestPostgres();
  void launchWatchdog();

  std::string bin_dir_;
  std::string dir_;       // temp dir: socket, log
  std::string data_dir_;  // dir_/data
  bool running_ = false;
  int database_counter_ = 0;
  int watchdog_fd_ = -1;  // write end; the watchdog cleans up when it closes
  pid_t watchdog_pid_ = 0;
};

}  // namespace gantry::test
