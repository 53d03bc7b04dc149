#include "support/test_postgres.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace gantry::test {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) with stdout and stderr captured, in `cwd`
// when given, and waits for it to exit.
CommandResult runCommand(const std::vector<std::string>& argv, const std::string& cwd = "") {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  }
  std::vector<char*> args;
  args.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t child = 0;
  const int rc = posix_spawnp(&child, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult result;
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    result.err = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buffer[8192];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool runningAsRoot() { return geteuid() == 0; }

// Postgres refuses to run as root; under root, server-side tools run as the
// postgres system user.
std::vector<std::string> asServerUser(std::vector<std::string> argv) {
  if (!runningAsRoot()) {
    return argv;
  }
  std::vector<std::string> wrapped = {"runuser", "-u", "postgres", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

void chownToServerUser(const std::string& path) {
  if (!runningAsRoot()) {
    return;
  }
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "running as root but there is no `postgres` system user to run the test cluster as");
  }
  if (chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("chown " + path + ": " + std::strerror(errno));
  }
}

std::string findBinDir() {
  if (const char* env = std::getenv("GANTRY_PG_BINDIR"); env != nullptr && *env != '\0') {
    return env;
  }
  const CommandResult pg_config = runCommand({"pg_config", "--bindir"});
  if (pg_config.exit_code == 0) {
    std::string dir = pg_config.out;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ')) {
      dir.pop_back();
    }
    if (fs::exists(fs::path(dir) / "initdb")) {
      return dir;
    }
  }
  // Debian keeps the server binaries out of PATH; take the newest version.
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && bin.string() > best) {
      best = bin.string();
    }
  }
  if (!best.empty()) {
    return best;
  }
  throw std::runtime_error(
      "cannot find the Postgres server binaries (initdb, pg_ctl): install postgresql or set "
      "GANTRY_PG_BINDIR");
}

std::string tail(const std::string& path, size_t max_chars = 2000) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string all = buffer.str();
  return all.size() <= max_chars ? all : all.substr(all.size() - max_chars);
}

// Holds an exclusive flock on a file for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600)) {
    if (fd_ < 0 || flock(fd_, LOCK_EX) != 0) {
      throw std::runtime_error("lock " + path + ": " + std::strerror(errno));
    }
  }
  ~FileLock() { close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

// A freshly initdb'd data directory shared by all test processes of this
// user and Postgres version; built once, under a lock, and only read after.
std::string templateDataDir(const std::string& bin_dir) {
  std::stringstream key;
  key << "/tmp/gantry-pg-template-" << geteuid() << "-" << std::hex
      << std::hash<std::string>{}(bin_dir);
  const std::string root = key.str();
  std::string data = root + "/data";
  const std::string ready = root + "/READY";
  FileLock lock(root + ".lock");
  if (fs::exists(ready)) {
    return data;
  }
  fs::remove_all(root);
  fs::create_directory(root);
  chownToServerUser(root);
  const CommandResult initdb =
      runCommand(asServerUser({bin_dir + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                               "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"}),
                 root);
  if (initdb.exit_code != 0) {
    throw std::runtime_error("initdb failed: " + initdb.out + initdb.err);
  }
  std::ofstream(ready) << "ok\n";
  return data;
}

std::string databaseOf(const std::string& conninfo) {
  const auto pos = conninfo.find("dbname=");
  if (pos == std::string::npos) {
    return "postgres";
  }
  const auto end = conninfo.find(' ', pos);
  return conninfo.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
}

}  // namespace

TestPostgres& TestPostgres::shared() {
  static TestPostgres instance;
  return instance;
}

TestPostgres::TestPostgres() : bin_dir_(findBinDir()) {
  char pattern[] = "/tmp/gantry-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
  }
  dir_ = pattern;
  data_dir_ = dir_ + "/data";
  chownToServerUser(dir_);
  launchWatchdog();

  const std::string source = templateDataDir(bin_dir_);
  const CommandResult copy = runCommand({"cp", "-a", source, data_dir_});
  if (copy.exit_code != 0) {
    throw std::runtime_error("copying the template cluster failed: " + copy.err);
  }
  std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
  conf << "\n# gantry test cluster\n"
       << "listen_addresses = ''\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "port = " << kPort << "\n"
       << "shared_buffers = 64MB\n"
       << "max_connections = 100\n"
       << "max_wal_size = 1GB\n"
       // Frequent spread checkpoints keep crash recovery after an immediate
       // stop short even late in a long test binary.
       << "checkpoint_timeout = 30s\n"
       // After an immediate stop, sync the data directory with one syncfs()
       // instead of an fsync() per file.
       << "recovery_init_sync_method = syncfs\n"
       << "fsync = on\n"
       << "synchronous_commit = on\n"
       << "log_min_messages = warning\n";
  conf.close();
  start();
}

TestPostgres::~TestPostgres() {
  // The cluster is thrown away, so skip the shutdown checkpoint: with fsync
  // on it can take seconds after a test that wrote a lot.
  if (running_) {
    try {
      stop(StopMode::kImmediate);
    } catch (const std::exception&) {
      // The watchdog stops it below.
    }
  }
  // Closing the pipe lets the watchdog delete the directory. Deleting a few
  // hundred MB of databases and WAL takes seconds on some filesystems, so
  // the test process does not wait for it; the watchdog is in its own
  // session and finishes on its own.
  if (watchdog_fd_ >= 0) {
    close(watchdog_fd_);
  }
}

// The watchdog is a shell blocked reading a pipe whose only write end this
// process holds (close-on-exec, so spawned children do not keep it open).
// When this process exits for any reason, the read returns and the shell
// stops the server and removes the directory. It runs in its own session so
// a Ctrl-C to the test's process group does not kill it first.
void TestPostgres::launchWatchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::string stop = bin_dir_ + "/pg_ctl -D " + data_dir_ + " -m immediate -w stop";
  if (runningAsRoot()) {
    stop = "runuser -u postgres -- " + stop;
  }
  const std::string script = "cat >/dev/null; if [ -f " + data_dir_ + "/postmaster.pid ]; then " +
                             stop + "; fi; rm -rf " + dir_;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  const int rc = posix_spawn(&watchdog_pid_, "/bin/sh", &actions, &attr,
                             const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    throw std::runtime_error(std::string("cannot start the cleanup watchdog: ") +
                             std::strerror(rc));
  }
  watchdog_fd_ = fds[1];
}

void TestPostgres::start() {
  const std::string log = dir_ + "/postgres.log";
  // -w waits until the server reports it accepts connections (or -t passes).
  const CommandResult r = runCommand(
      asServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-l", log, "-w", "-t", "60", "start"}),
      dir_);
  if (r.exit_code != 0) {
    throw std::runtime_error("pg_ctl start failed: " + r.out + r.err + "\nserver log:\n" +
                             tail(log));
  }
  running_ = true;
}

void TestPostgres::stop(StopMode mode) {
  const std::string how = mode == StopMode::kFast ? "fast" : "immediate";
  const CommandResult r = runCommand(
      asServerUser({bin_dir_ + "/pg_ctl", "-D", data_dir_, "-m", how, "-w", "-t", "60", "stop"}),
      dir_);
  if (r.exit_code != 0) {
    throw std::runtime_error("pg_ctl stop failed: " + r.out + r.err);
  }
  running_ = false;
}

void TestPostgres::restart(StopMode mode) {
  stop(mode);
  start();
}

pid_t TestPostgres::pid() const {
  std::ifstream in(data_dir_ + "/postmaster.pid");
  pid_t pid = 0;
  if (!(in >> pid)) {
    return 0;
  }
  return pid;
}

std::string TestPostgres::conninfo(const std::string& database) const {
  return "host=" + dir_ + " port=" + std::to_string(kPort) + " dbname=" + database +
         " user=postgres";
}

std::string TestPostgres::createDatabase() {
  const std::string name =
      "gantry_test_" + std::to_string(getpid()) + "_" + std::to_string(++database_counter_);
  const Result<std::string> r = psql(conninfo("postgres"), "CREATE DATABASE " + name);
  if (!r.isOk()) {
    throw std::runtime_error("CREATE DATABASE " + name + " failed: " + r.status().message());
  }
  return conninfo(name);
}

void TestPostgres::dropDatabase(const std::string& conninfo) {
  const std::string name = databaseOf(conninfo);
  const Result<std::string> r =
      psql(this->conninfo("postgres"), "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  if (!r.isOk()) {
    throw std::runtime_error("DROP DATABASE " + name + " failed: " + r.status().message());
  }
}

Result<std::string> TestPostgres::psql(const std::string& conninfo, const std::string& sql) const {
  const CommandResult r = runCommand({bin_dir_ + "/psql", "-X", "-q", "-A", "-t", "-v",
                                      "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql});
  if (r.exit_code != 0) {
    return Status(StatusCode::kInternal,
                  "psql failed (exit " + std::to_string(r.exit_code) + "): " + r.err + r.out);
  }
  return r.out;
}

void TestPostgres::terminateConnections(const std::string& conninfo) const {
  const Result<std::string> r = psql(
      this->conninfo("postgres"),
      "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE datname = '" +
          databaseOf(conninfo) + "' AND pid <> pg_backend_pid()");
  if (!r.isOk()) {
    throw std::runtime_error("terminating connections failed: " + r.status().message());
  }
}

}  // namespace gantry::test
