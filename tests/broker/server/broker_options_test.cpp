// Settings: every bad value stops start-up with one line naming the flag,
// its variable, the value and the rule.
#include <gtest/gtest.h>

#include <cstdlib>
#include <tuple>

#include <CLI/CLI.hpp>

#include "gantry/broker/server/broker_options.h"
#include "gantry/common/settings.h"

namespace gantry::broker {
namespace {

constexpr const char* kDatabase = "postgresql://gantry@db/gantry";

Status parse(std::vector<std::string> args, BrokerOptions& options) {
  CLI::App app;
  Settings settings(app, "gantry-broker");
  addBrokerOptions(settings, options);
  args.insert(args.begin(), "gantry-broker");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
  if (Status s = settings.resolve(); !s.isOk()) {
    return s;
  }
  return finalizeBrokerOptions(options);
}

TEST(BrokerOptions, LimitsAndPoliciesAreParsed) {
  BrokerOptions options;
  ASSERT_TRUE(parse({"--database-url", kDatabase, "--kind-limit", "transcribe=4", "--key-limit",
                     "episode:=2", "--queue-capacity", "episodes=100", "--kind-policy",
                     "sync:max_attempts=3,backoff_base_ms=10,backoff_cap_ms=20"},
                    options)
                  .isOk());
  EXPECT_EQ(options.config.kind_limits.at("transcribe"), 4u);
  EXPECT_EQ(options.config.keyLimitFor("episode:7"), 2u);
  EXPECT_EQ(options.config.keyLimitFor("user:7"), 1u);
  EXPECT_EQ(options.config.capacityFor("episodes"), 100u);
  EXPECT_EQ(options.config.policyFor("sync").max_attempts, 3u);
  EXPECT_EQ(options.config.policyFor("sync").backoff.cap_ms, 20u);
}

TEST(BrokerOptions, MissingDatabaseIsRefused) {
  ::unsetenv("DATABASE_URL");
  ::unsetenv("DATABASE_URL_FILE");
  BrokerOptions options;
  Status s = parse({}, options);
  ASSERT_FALSE(s.isOk());
  EXPECT_NE(s.message().find("DATABASE_URL"), std::string::npos);
}

TEST(BrokerOptions, ZeroOrOverflowingLimitsAreRefused) {
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"--kind-limit", "a=0"},
           {"--kind-limit", "a=4294967296"},
           {"--key-limit", "user:=0"},
           {"--key-limit-default", "0"},
           {"--queue-capacity", "q=-1"},
           {"--kind-limit", "noequals"},
           {"--kind-policy", "k:bogus=1"},
           {"--kind-policy", "k:timeout_ms=999999999999"},
       }) {
    BrokerOptions options;
    std::vector<std::string> args = {"--database-url", kDatabase};
    args.insert(args.end(), bad.begin(), bad.end());
    Status s;
    try {
      s = parse(args, options);
    } catch (const CLI::ParseError&) {
      continue;  // CLI11 itself refused the value: also a start-up error
    }
    EXPECT_FALSE(s.isOk()) << bad[0] << " " << bad[1];
    EXPECT_NE(s.message().find(bad[0]), std::string::npos) << s.message();
  }
}

// A standby may wait for hours before it binds: an endpoint it could never
// bind is refused at start, naming the flag, not at the failover.
TEST(BrokerOptions, EndpointsThisHostCannotBindAreRefusedNamingTheFlag) {
  for (const auto& [flag, endpoint, why] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--worker-endpoint", "tcp://192.0.2.7:5555", "is not an address of this host"},
           {"--client-endpoint", "tcp://127.0.0.1:99999", "port '99999'"},
           {"--client-endpoint", "tcp://no-such-host.invalid:5556", "cannot resolve"},
           {"--worker-endpoint", "ipc:///nonexistent/folder/workers", "does not exist"},
           {"--worker-endpoint", "udp://127.0.0.1:5555", "unknown transport 'udp'"},
           {"--client-endpoint", "127.0.0.1:5556", "expected tcp://"},
       }) {
    BrokerOptions options;
    const Status s = parse({"--database-url", kDatabase, flag, endpoint}, options);
    ASSERT_FALSE(s.isOk()) << endpoint;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    const std::string env =
        flag == "--worker-endpoint" ? "GANTRY_WORKER_ENDPOINT" : "GANTRY_CLIENT_ENDPOINT";
    EXPECT_EQ(s.message().rfind(flag + " (" + env + "): cannot bind '" + endpoint + "'", 0), 0u)
        << s.message();
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
  }
}

TEST(BrokerOptions, EndpointsThisHostCanBindAreAccepted) {
  for (const char* endpoint :
       {"tcp://127.0.0.1:5555", "tcp://*:0", "tcp://localhost:*", "tcp://lo:5555",
        "ipc:///tmp/gantry-options-test", "inproc://broker"}) {
    BrokerOptions options;
    const Status s = parse({"--database-url", kDatabase, "--worker-endpoint", endpoint}, options);
    EXPECT_TRUE(s.isOk()) << endpoint << ": " << s.message();
  }
}

TEST(BrokerOptions, BadValuesAreOneLineNamingFlagVariableValueAndRule) {
  for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--heartbeat-ms", "0"},
            "--heartbeat-ms (GANTRY_HEARTBEAT_MS): '0' must be between 10 and 3600000"},
           {{"--liveness", "0"},
            "--liveness (GANTRY_LIVENESS): '0' must be between 1 and 4294967295"},
           {{"--heartbeat-ms", "3600000", "--liveness", "1000"},
            "--liveness (GANTRY_LIVENESS): '1000' times --heartbeat-ms (3600000) must be at most "
            "2147483647 ms"},
           {{"--log-level", "loud"},
            "--log-level (GANTRY_LOG_LEVEL): 'loud' must be one of "
            "trace|debug|info|warn|error|off"},
           {{"--db-wait-ms", "-1"},
            "--db-wait-ms (GANTRY_DB_WAIT_MS): '-1' must be between 0 and 86400000"},
           {{"--aging-ms", "soon"},
            "--aging-ms (GANTRY_AGING_MS): 'soon' must be an integer between "
            "-9223372036854775808 and 9223372036854775807"},
           {{"--max-attempts", "1001"},
            "--max-attempts (GANTRY_MAX_ATTEMPTS): '1001' must be between 1 and 1000"},
           {{"--backoff-base-ms", "100", "--backoff-cap-ms", "10"},
            "--backoff-cap-ms (GANTRY_BACKOFF_CAP_MS): '10' must be at least --backoff-base-ms "
            "(100)"},
           {{"--kind-limit", "a=0"},
            "--kind-limit (GANTRY_KIND_LIMITS): 'a=0': N must be an integer between 1 and "
            "4294967295"},
           {{"--kind-policy", "sync:max_attempts=0"},
            "--kind-policy (GANTRY_KIND_POLICIES): 'sync:max_attempts=0': max_attempts must be "
            "between 1 and 1000"},
       }) {
    BrokerOptions options;
    std::vector<std::string> all = {"--database-url", kDatabase};
    all.insert(all.end(), args.begin(), args.end());
    const Status s = parse(all, options);
    EXPECT_EQ(s.message(), expected);
  }
}

TEST(BrokerOptions, MetricsListenTakesHostAndPortOrNothing) {
  for (const char* address : {"", "127.0.0.1:9090", "0.0.0.0:0", "localhost:65535", "[::1]:9090"}) {
    BrokerOptions options;
    const Status s = parse({"--database-url", kDatabase, "--metrics-listen", address}, options);
    EXPECT_TRUE(s.isOk()) << address << ": " << s.message();
    EXPECT_EQ(options.metrics_listen, address);
  }
  for (const char* address : {"9090", "example.com:9090", "127.0.0.1:65536", "::1:9090"}) {
    BrokerOptions options;
    const Status s = parse({"--database-url", kDatabase, "--metrics-listen", address}, options);
    EXPECT_EQ(
        s.message().rfind(
            "--metrics-listen (GANTRY_METRICS_LISTEN): '" + std::string(address) + "' must", 0),
        0u)
        << s.message();
  }
}

TEST(BrokerOptions, MalformedDatabaseUrlIsRefusedWithoutQuotingIt) {
  BrokerOptions options;
  const Status s = parse({"--database-url", "host=db password='s3cret"}, options);
  EXPECT_EQ(s.message().rfind("--database-url (DATABASE_URL): ", 0), 0u) << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();
}

TEST(BrokerOptions, ListsComeFromTheirVariablesSeparatedBySpaces) {
  ::setenv("GANTRY_KIND_LIMITS", "transcribe=4 sync=2", 1);
  ::setenv("GANTRY_KIND_POLICIES", "sync:max_attempts=3,timeout_ms=1000\n  other:max_attempts=2",
           1);
  BrokerOptions options;
  const Status s = parse({"--database-url", kDatabase}, options);
  ::unsetenv("GANTRY_KIND_LIMITS");
  ::unsetenv("GANTRY_KIND_POLICIES");
  ASSERT_TRUE(s.isOk()) << s.message();
  EXPECT_EQ(options.config.kind_limits.at("transcribe"), 4u);
  EXPECT_EQ(options.config.kind_limits.at("sync"), 2u);
  EXPECT_EQ(options.config.policyFor("sync").timeout_ms, 1000u);
  EXPECT_EQ(options.config.policyFor("other").max_attempts, 2u);
}

}  // namespace
}  // namespace gantry::broker
