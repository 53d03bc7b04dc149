// Flag parsing: every bad value stops start-up with a message naming it.
#include <gtest/gtest.h>

#include "gantry/broker/server/broker_options.h"

namespace gantry::broker {
namespace {

Status parse(std::vector<std::string> args, BrokerOptions& options) {
  CLI::App app;
  addBrokerOptions(app, options);
  args.insert(args.begin(), "gantry-broker");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
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

}  // namespace
}  // namespace gantry::broker
