#include "gantry/tools/time_text.h"

#include <gtest/gtest.h>

namespace gantry::tools {
namespace {

int64_t parsed(std::string_view text) {
  auto ms = parseDurationMs(text);
  EXPECT_TRUE(ms.isOk()) << text << ": " << ms.status().toString();
  return ms.isOk() ? *ms : -1;
}

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parsed("500ms"), 500);
  EXPECT_EQ(parsed("30s"), 30'000);
  EXPECT_EQ(parsed("5m"), 300'000);
  EXPECT_EQ(parsed("2h"), 7'200'000);
  EXPECT_EQ(parsed("1d"), 86'400'000);
  EXPECT_EQ(parsed("0s"), 0);
}

TEST(ParseDuration, SumsCompoundTerms) {
  EXPECT_EQ(parsed("1h30m"), 5'400'000);
  EXPECT_EQ(parsed("1m30s250ms"), 90'250);
}

TEST(ParseDuration, RefusesABareNumberBecauseItsUnitWouldBeAGuess) {
  auto ms = parseDurationMs("30");
  EXPECT_EQ(ms.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ms.status().message().find("no unit"), std::string::npos);
  EXPECT_NE(ms.status().message().find("500ms"), std::string::npos) << "shows accepted forms";
}

TEST(ParseDuration, RefusesMalformedInput) {
  for (const char* text : {"", "5x", "-5s", "s", "1.5s", "5 s", "5sec"}) {
    EXPECT_EQ(parseDurationMs(text).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(ParseDuration, RefusesMoreThanAYearWithoutOverflow) {
  EXPECT_FALSE(parseDurationMs("367d").isOk());
  EXPECT_FALSE(parseDurationMs("99999999999999999999ms").isOk());
  EXPECT_FALSE(parseDurationMs("300d300d").isOk());
  EXPECT_TRUE(parseDurationMs("366d").isOk());
}

TEST(FormatDuration, UsesAtMostTwoUnits) {
  EXPECT_EQ(formatDurationMs(450), "450ms");
  EXPECT_EQ(formatDurationMs(12'900), "12s");
  EXPECT_EQ(formatDurationMs(252'000), "4m12s");
  EXPECT_EQ(formatDurationMs(3 * 3'600'000 + 5 * 60'000), "3h05m");
  EXPECT_EQ(formatDurationMs(2 * 86'400'000 + 3 * 3'600'000), "2d03h");
}

TEST(FormatRelative, SaysAgoForThePastAndInForTheFuture) {
  EXPECT_EQ(formatRelative(1'000'000, 1'012'000), "12s ago");
  EXPECT_EQ(formatRelative(1'060'000, 1'000'000), "in 1m00s");
  EXPECT_EQ(formatRelative(1'000'000, 1'000'400), "now");
}

TEST(FormatTimestamp, IsUtcToTheSecond) {
  EXPECT_EQ(formatTimestamp(1'700'000'000'123), "2023-11-14 22:13:20Z");
  EXPECT_EQ(formatTimestamp(0), "1970-01-01 00:00:00Z");
}

}  // namespace
}  // namespace gantry::tools
