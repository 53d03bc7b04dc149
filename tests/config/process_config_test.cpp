// The real gantry-broker and gantry-worker at start: --print-config shows
// each value's source with the password masked, bad values exit 2 with one
// line naming the setting, and no secret reaches stdout, stderr or --help.
// No database and no sockets: every run ends before either is needed.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "config/process_run.h"

namespace gantry::test {
namespace {

constexpr const char* kBroker = "broker/gantry-broker";
constexpr const char* kWorker = "worker/gantry-worker";
constexpr const char* kPassword = "hunter2-s3cret";
const std::string kUrl = std::string("postgresql://gantry:") + kPassword + "@db.invalid/gantry";

struct Shown {
  std::string value;
  std::string source;
};

// --print-config's "name = value  (source)" lines by name.
std::map<std::string, Shown> parsePrintConfig(const std::string& out) {
  std::map<std::string, Shown> settings;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find(" = ");
    const auto open = line.rfind("  (");
    if (eq == std::string::npos || open == std::string::npos || line.back() != ')') {
      ADD_FAILURE() << "not a setting line: " << line;
      continue;
    }
    std::string name = line.substr(0, eq);
    name.erase(name.find_last_not_of(' ') + 1);
    std::string value = line.substr(eq + 3, open - eq - 3);
    value.erase(value.find_last_not_of(' ') + 1);
    settings[name] = {value, line.substr(open + 3, line.size() - open - 4)};
  }
  return settings;
}

size_t lineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SecretFile {
 public:
  explicit SecretFile(const std::string& content) {
    char path[] = "/tmp/gantry-secret-XXXXXX";
    const int fd = ::mkstemp(path);
    ::close(fd);
    path_ = path;
    std::ofstream(path_) << content;
  }
  ~SecretFile() { std::remove(path_.c_str()); }
  SecretFile(const SecretFile&) = delete;
  SecretFile& operator=(const SecretFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(BrokerPrintConfig, ShowsEachSourceAndMasksOnlyThePassword) {
  ProcessRun run = runBuilt(kBroker, {"--print-config", "--liveness", "4"},
                            {{"DATABASE_URL", kUrl}, {"GANTRY_HEARTBEAT_MS", "500"}});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["database-url"].value, "postgresql://gantry:****@db.invalid/gantry");
  EXPECT_EQ(shown["database-url"].source, "env");
  EXPECT_EQ(shown["heartbeat-ms"].value, "500");
  EXPECT_EQ(shown["heartbeat-ms"].source, "env");
  EXPECT_EQ(shown["liveness"].value, "4");
  EXPECT_EQ(shown["liveness"].source, "flag");
  EXPECT_EQ(shown["aging-ms"].source, "default");
  EXPECT_EQ(shown["metrics-listen"].value, "\"\"");
  EXPECT_FALSE(contains(run.out, kPassword));
}

TEST(BrokerPrintConfig, KeywordUrlFromAFileIsSourcedFileWithItsPasswordMasked) {
  SecretFile file(std::string("host=db.invalid user=gantry password=") + kPassword + "\n");
  ProcessRun run = runBuilt(kBroker, {"--print-config"}, {{"DATABASE_URL_FILE", file.path()}});
  ASSERT_EQ(run.code, 0) << run.err;
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["database-url"].value, "host=db.invalid user=gantry password=****");
  EXPECT_EQ(shown["database-url"].source, "file");
  EXPECT_FALSE(contains(run.out + run.err, kPassword));
}

TEST(BrokerPrintConfig, FileFlagWinsOverTheVariable) {
  SecretFile file(kUrl + "\n");
  ProcessRun run = runBuilt(kBroker, {"--print-config", "--database-url-file", file.path()},
                            {{"DATABASE_URL", "postgresql://other@db.invalid/other"}});
  ASSERT_EQ(run.code, 0) << run.err;
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["database-url"].value, "postgresql://gantry:****@db.invalid/gantry");
  EXPECT_EQ(shown["database-url"].source, "file");
}

TEST(BrokerPrintConfig, UrlAndFileVariablesTogetherExitTwo) {
  SecretFile file(kUrl);
  ProcessRun run = runBuilt(kBroker, {"--print-config"},
                            {{"DATABASE_URL", kUrl}, {"DATABASE_URL_FILE", file.path()}});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "gantry-broker: DATABASE_URL and DATABASE_URL_FILE are both set; set one of them\n");
}

TEST(BrokerStart, UnreadableSecretFileExitsTwoNamingSettingAndPath) {
  ProcessRun run = runBuilt(kBroker, {}, {{"DATABASE_URL_FILE", "/nonexistent/db-url"}});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.err,
            "gantry-broker: --database-url-file (DATABASE_URL_FILE): cannot read "
            "'/nonexistent/db-url': No such file or directory\n");
}

TEST(BrokerStart, HelpShowsNoSecretFromTheEnvironment) {
  ProcessRun run = runBuilt(kBroker, {"--help"}, {{"DATABASE_URL", kUrl}});
  EXPECT_EQ(run.code, 0);
  EXPECT_TRUE(contains(run.out, "(Env:DATABASE_URL_FILE)")) << run.out;
  EXPECT_TRUE(contains(run.out, "--metrics-listen")) << run.out;
  EXPECT_FALSE(contains(run.out + run.err, kPassword)) << run.out;
}

// The connection error is printed and logged (JSON on stderr), naming the
// target, never the password.
TEST(BrokerStart, UnreachableDatabaseIsReportedWithoutThePassword) {
  const std::string url =
      std::string("postgresql://gantry:") + kPassword + "@/gantry?host=/nonexistent-gantry-dir";
  ProcessRun run = runBuilt(kBroker, {"--db-wait-ms", "0"}, {{"DATABASE_URL", url}});
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_TRUE(contains(run.err, "cannot connect to the database")) << run.err;
  EXPECT_FALSE(contains(run.out + run.err, kPassword)) << run.err;
}

TEST(WorkerPrintConfig, ShowsEachSource) {
  ProcessRun run =
      runBuilt(kWorker, {"--print-config", "--kinds", "noop,sleep"},
               {{"GANTRY_CONCURRENCY", "8"}, {"GANTRY_METRICS_LISTEN", "127.0.0.1:0"}});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["concurrency"].value, "8");
  EXPECT_EQ(shown["concurrency"].source, "env");
  EXPECT_EQ(shown["kinds"].value, "noop,sleep");
  EXPECT_EQ(shown["kinds"].source, "flag");
  EXPECT_EQ(shown["metrics-listen"].value, "127.0.0.1:0");
  EXPECT_EQ(shown["heartbeat-ms"].source, "default");
}

TEST(WorkerPrintConfig, ShowsTheTracingSettingsWithTheirHeadersMasked) {
  ProcessRun run = runBuilt(kWorker, {"--print-config", "--traces-sampler-arg", "0.25"},
                            {{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"},
                             {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer s3cr3t"}});
  ASSERT_EQ(run.code, 0) << run.err;
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["otlp-endpoint"].value, "http://127.0.0.1:4318");
  EXPECT_EQ(shown["otlp-endpoint"].source, "env");
  EXPECT_EQ(shown["traces-sampler-arg"].value, "0.25");
  EXPECT_EQ(shown["traces-sampler-arg"].source, "flag");
  EXPECT_EQ(shown["otlp-headers"].value, "****");
  EXPECT_FALSE(contains(run.out, "s3cr3t")) << run.out;
}

// The handlers' database URL is a secret: its password never shows, and the
// worker starts without connecting.
TEST(WorkerPrintConfig, MasksTheHandlerDatabasePassword) {
  ProcessRun run =
      runBuilt(kWorker, {"--print-config", "--handler-database-pool-size", "2"},
               {{"GANTRY_HANDLER_DATABASE_URL", "postgresql://app:s3cr3t@db.invalid/domain"}});
  ASSERT_EQ(run.code, 0) << run.err;
  auto shown = parsePrintConfig(run.out);
  EXPECT_EQ(shown["handler-database-url"].value, "postgresql://app:****@db.invalid/domain");
  EXPECT_EQ(shown["handler-database-url"].source, "env");
  EXPECT_EQ(shown["handler-database-pool-size"].value, "2");
  EXPECT_FALSE(contains(run.out + run.err, "s3cr3t")) << run.out;
}

struct BadValue {
  const char* binary;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string line;  // what stderr starts with
};

// For test names: "gantry-broker --heartbeat-ms 0", "gantry-worker GANTRY_...=...".
void PrintTo(const BadValue& bad, std::ostream* os) {
  *os << std::string(bad.binary).substr(std::string(bad.binary).find('/') + 1);
  for (const auto& [name, value] : bad.env) {
    *os << " " << name << "=" << value;
  }
  for (const auto& arg : bad.args) {
    *os << " " << arg;
  }
}

class BadSetting : public ::testing::TestWithParam<BadValue> {};

TEST_P(BadSetting, ExitsTwoWithOneLineNamingIt) {
  const BadValue& bad = GetParam();
  std::map<std::string, std::string> env = bad.env;
  env.emplace("DATABASE_URL", kUrl);
  ProcessRun run = runBuilt(bad.binary, bad.args, env);
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(lineCount(run.err), 1u) << run.err;
  EXPECT_EQ(run.err.rfind(bad.line, 0), 0u) << run.err;
  EXPECT_FALSE(contains(run.err, kPassword)) << run.err;
}

INSTANTIATE_TEST_SUITE_P(
    BrokerAndWorker, BadSetting,
    ::testing::Values(
        BadValue{kBroker,
                 {"--heartbeat-ms", "0"},
                 {},
                 "gantry-broker: --heartbeat-ms (GANTRY_HEARTBEAT_MS): '0' must be between 10 "
                 "and 3600000\n"},
        BadValue{
            kBroker,
            {},
            {{"GANTRY_LIVENESS", "0"}},
            "gantry-broker: --liveness (GANTRY_LIVENESS): '0' must be between 1 and 4294967295\n"},
        BadValue{kBroker,
                 {"--metrics-listen", "example.com:9090"},
                 {},
                 "gantry-broker: --metrics-listen (GANTRY_METRICS_LISTEN): 'example.com:9090' "
                 "must have an IPv4 address"},
        BadValue{kBroker,
                 {"--aging-ms", "soon"},
                 {},
                 "gantry-broker: --aging-ms (GANTRY_AGING_MS): 'soon'"},
        BadValue{kBroker,
                 {},
                 {{"GANTRY_KIND_LIMITS", "transcribe=0"}},
                 "gantry-broker: --kind-limit (GANTRY_KIND_LIMITS): 'transcribe=0': N must be"},
        BadValue{kBroker,
                 {"--worker-endpoint", "udp://127.0.0.1:5555"},
                 {},
                 "gantry-broker: --worker-endpoint (GANTRY_WORKER_ENDPOINT): cannot bind"},
        BadValue{kBroker,
                 {"--database-url", std::string("host=db password='") + kPassword},
                 {},
                 "gantry-broker: --database-url (DATABASE_URL): the value is not"},
        BadValue{
            kBroker, {"--bogus"}, {}, "gantry-broker: the following argument was not expected"},
        BadValue{kBroker,
                 {},
                 {{"OTEL_TRACES_SAMPLER_ARG", "2"}},
                 "gantry-broker: OTEL_TRACES_SAMPLER_ARG=\"2\" is not valid"},
        BadValue{kWorker,
                 {"--traces-sampler", "sometimes"},
                 {},
                 "gantry-worker: OTEL_TRACES_SAMPLER=\"sometimes\" is not valid"},
        BadValue{kWorker,
                 {"--handler-database-pool-size", "0"},
                 {},
                 "gantry-worker: --handler-database-pool-size "
                 "(GANTRY_HANDLER_DATABASE_POOL_SIZE): '0' must be between 1 and "},
        BadValue{kWorker,
                 {"--concurrency", "0"},
                 {},
                 "gantry-worker: --concurrency (GANTRY_CONCURRENCY): '0' must be between 1 and "
                 "1024\n"},
        BadValue{kWorker,
                 {},
                 {{"GANTRY_HEARTBEAT_MS", "fast"}},
                 "gantry-worker: --heartbeat-ms (GANTRY_HEARTBEAT_MS): 'fast' must be an integer"},
        BadValue{kWorker,
                 {"--metrics-listen", "127.0.0.1:99999"},
                 {},
                 "gantry-worker: --metrics-listen (GANTRY_METRICS_LISTEN): '127.0.0.1:99999' "
                 "must end in a port"},
        BadValue{kWorker,
                 {"--kinds", "noop,transcode"},
                 {},
                 "gantry-worker: --kinds (GANTRY_KINDS): 'transcode' has no handler"},
        BadValue{kWorker,
                 {"--broker", "broker:5555"},
                 {},
                 "gantry-worker: --broker (GANTRY_WORKER_ENDPOINT): 'broker:5555' must be a "
                 "ZeroMQ endpoint"},
        BadValue{
            kWorker,
            {"--http-kind", "render=ftp://media.internal/render"},
            {},
            "gantry-worker: --http-kind (GANTRY_HTTP_KINDS): 'render=ftp://media.internal/"
            "render' has a URL that has scheme 'ftp'; only http:// and https:// are allowed\n"},
        BadValue{kWorker,
                 {},
                 {{"GANTRY_HTTP_KINDS", "render=http://a.internal/r\n render=http://b.internal/r"}},
                 "gantry-worker: --http-kind (GANTRY_HTTP_KINDS): 'render=http://b.internal/r' "
                 "names kind 'render' a second time\n"},
        BadValue{kWorker,
                 {"--http-kind", "echo=http://a.internal/echo"},
                 {},
                 "gantry-worker: --http-kind (GANTRY_HTTP_KINDS): 'echo=http://a.internal/echo' "
                 "names kind 'echo', which is built in\n"},
        BadValue{
            kWorker, {"--bogus"}, {}, "gantry-worker: the following argument was not expected"}));

}  // namespace
}  // namespace gantry::test
