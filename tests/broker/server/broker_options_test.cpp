// Flag parsing: every bad value stops start-up with a message naming it.
#include <gtest/gtest.h>

#include <tuple>

#include "gantry/broker/server/broker_options.h"

namespace gantry::broker {
namespace {

Status parse(std::vector<std::string> args, BrokerOptions& options) {
  CLI::App app;
  addBrokerOptions(app, options);
  args.insert(args.begin(), "gantry-broker");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  app.parse(static_cast<int>(argv.size()), argv.data());
  return finalizeBrokerOptions(options);
}

TEST(BrokerOptions, LimitsAndPoliciesAreParsed) {
  BrokerOptions options;
  ASSERT_TRUE(parse({"--database-url", "x", "--kind-limit", "transcribe=4", "--key-limit",
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
    std::vector<std::string> args = {"--database-url", "x"};
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
    const Status s = parse({"--database-url", "x", flag, endpoint}, options);
    ASSERT_FALSE(s.isOk()) << endpoint;
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().rfind(flag + ": cannot bind '" + endpoint + "'", 0), 0u) << s.message();
    EXPECT_NE(s.message().find(why), std::string::npos) << s.message();
  }
}

TEST(BrokerOptions, EndpointsThisHostCanBindAreAccepted) {
  for (const char* endpoint :
       {"tcp://127.0.0.1:5555", "tcp://*:0", "tcp://localhost:*", "tcp://lo:5555",
        "ipc:///tmp/gantry-options-test", "inproc://broker"}) {
    BrokerOptions options;
    const Status s = parse({"--database-url", "x", "--worker-endpoint", endpoint}, options);
    EXPECT_TRUE(s.isOk()) << endpoint << ": " << s.message();
  }
}

}  // namespace
}  // namespace gantry::broker
