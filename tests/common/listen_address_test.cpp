// parseListenAddress: which HOST:PORT forms a listener accepts.
#include "gantry/common/listen_address.h"

#include <gtest/gtest.h>

namespace gantry {
namespace {

TEST(ListenAddress, AcceptsIpv4LocalhostAndBracketedIpv6) {
  auto v4 = parseListenAddress("0.0.0.0:9090");
  ASSERT_TRUE(v4.isOk()) << v4.status().message();
  EXPECT_EQ(v4->host, "0.0.0.0");
  EXPECT_EQ(v4->port, 9090);
  auto local = parseListenAddress("localhost:0");
  ASSERT_TRUE(local.isOk());
  EXPECT_EQ(local->host, "localhost");
  EXPECT_EQ(local->port, 0);
  auto v6 = parseListenAddress("[::1]:65535");
  ASSERT_TRUE(v6.isOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 65535);
}

TEST(ListenAddress, RefusesEachBadFormWithItsRule) {
  for (const auto& [text, rule] : std::vector<std::pair<std::string, std::string>>{
           {"9090", "must be HOST:PORT"},
           {":9090", "must be HOST:PORT"},
           {"127.0.0.1", "must be HOST:PORT"},
           {"127.0.0.1:", "port between 0 and 65535"},
           {"127.0.0.1:65536", "port between 0 and 65535"},
           {"127.0.0.1:-1", "port between 0 and 65535"},
           {"127.0.0.1:90x", "port between 0 and 65535"},
           {"example.com:9090", "IPv4 address, localhost or an IPv6 address in brackets"},
           {"*:9090", "IPv4 address, localhost or an IPv6 address in brackets"},
           {"::1:9090", "IPv4 address, localhost or an IPv6 address in brackets"},
           {"256.0.0.1:9090", "IPv4 address, localhost or an IPv6 address in brackets"},
           {"[127.0.0.1]:9090", "IPv6 address between the brackets"},
       }) {
    auto parsed = parseListenAddress(text);
    ASSERT_FALSE(parsed.isOk()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(rule), std::string::npos)
        << text << ": " << parsed.status().message();
  }
}

}  // namespace
}  // namespace gantry
