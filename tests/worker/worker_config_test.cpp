#include "gantry/worker/worker_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

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
  EXPECT_NE(message.find("known: echo,fatal,flaky,noop,sleep"), std::string::npos);
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

TEST(WorkerIdentity, DefaultIdIsHostAndPid) {
  EXPECT_EQ(defaultWorkerId(), hostName() + "-" + std::to_string(::getpid()));
}

}  // namespace
}  // namespace gantry::worker
