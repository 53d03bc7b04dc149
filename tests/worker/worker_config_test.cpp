#include "gantry/worker/worker_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "gantry/common/settings.h"
#include "gantry/worker/builtin_handlers.h"

namespace gantry::worker {
namespace {

class WorkerConfigValidation : public ::testing::Test {
 protected:
  WorkerConfigValidation() { EXPECT_TRUE(addBuiltinHandlers(registry_).isOk()); }

  // The error message for `config`, or "" when it is valid.
  std::string error(const WorkerConfig& config) const {
    return validateConfig(config, registry_).message();
  }

  HandlerRegistry registry_;
};

TEST_F(WorkerConfigValidation, DefaultsAreValid) { EXPECT_EQ(error(WorkerConfig{}), ""); }

TEST_F(WorkerConfigValidation, RejectsEndpointWithoutTransport) {
  WorkerConfig config;
  config.broker_endpoint = "127.0.0.1:5555";
  EXPECT_NE(error(config).find("--broker"), std::string::npos);
}

TEST_F(WorkerConfigValidation, RejectsZeroConcurrency) {
  WorkerConfig config;
  config.concurrency = 0;
  EXPECT_NE(error(config).find("--concurrency"), std::string::npos);
}

TEST_F(WorkerConfigValidation, RejectsUnregisteredKindAndNamesIt) {
  WorkerConfig config;
  config.kinds = {"noop", "transcode"};
  const std::string message = error(config);
  EXPECT_NE(message.find("transcode"), std::string::npos);
  EXPECT_NE(message.find("known: echo,fatal,flaky,noop,scripted,sleep"), std::string::npos);
}

TEST_F(WorkerConfigValidation, RejectsTooShortHeartbeatAndZeroLiveness) {
  WorkerConfig config;
  config.heartbeat_ms = 1;
  EXPECT_NE(error(config).find("--heartbeat-ms"), std::string::npos);
  config = WorkerConfig{};
  config.liveness = 0;
  EXPECT_NE(error(config).find("--liveness"), std::string::npos);
}

TEST_F(WorkerConfigValidation, RejectsUnknownLogLevel) {
  WorkerConfig config;
  config.log_level = "verbose";
  EXPECT_NE(error(config).find("--log-level"), std::string::npos);
}

TEST_F(WorkerConfigValidation, RejectsReconnectDelaysOutOfOrder) {
  WorkerConfig config;
  config.reconnect_initial_ms = 1000;
  config.reconnect_max_ms = 10;
  EXPECT_NE(error(config), "");
}

TEST_F(WorkerConfigValidation, MessagesNameFlagVariableValueAndRule) {
  WorkerConfig config;
  config.heartbeat_ms = 5;
  EXPECT_EQ(error(config),
            "--heartbeat-ms (GANTRY_HEARTBEAT_MS): '5' must be between 10 and 3600000");
  config = WorkerConfig{};
  config.concurrency = 2000;
  EXPECT_EQ(error(config), "--concurrency (GANTRY_CONCURRENCY): '2000' must be between 1 and 1024");
  config = WorkerConfig{};
  config.log_level = "verbose";
  EXPECT_EQ(error(config),
            "--log-level (GANTRY_LOG_LEVEL): 'verbose' must be one of "
            "trace|debug|info|warn|error|off");
  config = WorkerConfig{};
  config.heartbeat_ms = 3'600'000;
  config.liveness = 1000;
  EXPECT_EQ(error(config),
            "--liveness (GANTRY_LIVENESS): '1000' times --heartbeat-ms (3600000) must be at most "
            "2147483647 ms");
}

TEST_F(WorkerConfigValidation, MetricsListenIsEmptyOrHostAndPort) {
  WorkerConfig config;
  for (const char* address : {"", "127.0.0.1:9100", "localhost:0", "[::]:9100"}) {
    config.metrics_listen = address;
    EXPECT_EQ(error(config), "") << address;
  }
  config.metrics_listen = "worker-1:9100";
  EXPECT_EQ(
      error(config).rfind("--metrics-listen (GANTRY_METRICS_LISTEN): 'worker-1:9100' must", 0), 0u)
      << error(config);
}

TEST_F(WorkerConfigValidation, RejectsAnOverlongId) {
  WorkerConfig config;
  config.worker_id = std::string(201, 'w');
  EXPECT_EQ(error(config), "--id (GANTRY_WORKER_ID): must be at most 200 bytes of UTF-8 text");
}

// Every flag has a GANTRY_* variable; the flag wins.
TEST(WorkerSettings, EveryFlagHasAVariable) {
  const std::vector<std::pair<const char*, const char*>> variables = {
      {"GANTRY_WORKER_ENDPOINT", "ipc:///tmp/w"},
      {"GANTRY_CONCURRENCY", "7"},
      {"GANTRY_KINDS", "noop,echo"},
      {"GANTRY_WORKER_ID", "w-env"},
      {"GANTRY_HEARTBEAT_MS", "250"},
      {"GANTRY_LIVENESS", "6"},
      {"GANTRY_SHUTDOWN_GRACE_MS", "100"},
      {"GANTRY_LOG_LEVEL", "debug"},
      {"GANTRY_METRICS_LISTEN", "127.0.0.1:0"},
      {"GANTRY_HANDLER_DATABASE_URL", "host=db dbname=domain"},
      {"GANTRY_HANDLER_DATABASE_POOL_SIZE", "9"},
  };
  for (const auto& [name, value] : variables) {
    ::setenv(name, value, 1);
  }
  CLI::App app;
  WorkerConfig config;
  Settings settings(app, "gantry-worker");
  addWorkerSettings(settings, config);
  const char* argv[] = {"gantry-worker", "--concurrency", "2"};
  app.parse(3, argv);
  const Status resolved = settings.resolve();
  for (const auto& [name, value] : variables) {
    ::unsetenv(name);
  }
  ASSERT_TRUE(resolved.isOk()) << resolved.message();
  EXPECT_EQ(config.broker_endpoint, "ipc:///tmp/w");
  EXPECT_EQ(config.concurrency, 2u);
  EXPECT_EQ(settings.source("--concurrency"), SettingSource::kFlag);
  EXPECT_EQ(config.kinds, (std::vector<std::string>{"noop", "echo"}));
  EXPECT_EQ(config.worker_id, "w-env");
  EXPECT_EQ(config.heartbeat_ms, 250u);
  EXPECT_EQ(config.liveness, 6u);
  EXPECT_EQ(config.shutdown_grace_ms, 100u);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.metrics_listen, "127.0.0.1:0");
  EXPECT_EQ(settings.source("--metrics-listen"), SettingSource::kEnv);
  EXPECT_EQ(config.handler_database_url, "host=db dbname=domain");
  EXPECT_EQ(config.handler_database_pool_size, 9u);
}

TEST_F(WorkerConfigValidation, HandlerDatabaseUrlMustParseAndIsNeverQuoted) {
  WorkerConfig config;
  config.handler_database_url = "postgresql://app:s3cret@db/domain";
  EXPECT_EQ(error(config), "");
  config.handler_database_url = "host=db password='s3cret";
  EXPECT_EQ(error(config).rfind("--handler-database-url (GANTRY_HANDLER_DATABASE_URL): ", 0), 0u)
      << error(config);
  EXPECT_EQ(error(config).find("s3cret"), std::string::npos);
}

TEST_F(WorkerConfigValidation, HandlerDatabasePoolSizeIsAtLeastOne) {
  WorkerConfig config;
  config.handler_database_pool_size = 0;
  EXPECT_NE(error(config).find("--handler-database-pool-size"), std::string::npos);
}

// The URL is a secret: --print-config shows it with its password masked.
TEST(WorkerSettings, PrintConfigMasksTheHandlerDatabasePassword) {
  CLI::App app;
  WorkerConfig config;
  Settings settings(app, "gantry-worker");
  addWorkerSettings(settings, config);
  const char* argv[] = {"gantry-worker", "--handler-database-url",
                        "postgresql://app:s3cret@db/domain"};
  app.parse(3, argv);
  ASSERT_TRUE(settings.resolve().isOk());
  const std::string printed = settings.printConfig();
  EXPECT_NE(printed.find("postgresql://app:****@db/domain"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("s3cret"), std::string::npos);
}

TEST(WorkerIdentity, DefaultIdIsHostAndPid) {
  EXPECT_EQ(defaultWorkerId(), hostName() + "-" + std::to_string(::getpid()));
}

}  // namespace
}  // namespace gantry::worker
