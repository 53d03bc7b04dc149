#include "gantry/tools/exit_code.h"

#include <gtest/gtest.h>

namespace gantry::tools {
namespace {

TEST(ExitCode, MapsEachFailureToWhatAScriptNeedsToKnow) {
  EXPECT_EQ(exitCodeFor(Status::ok()), ExitCode::kOk);
  EXPECT_EQ(exitCodeFor(notFound("job 7 not found")), ExitCode::kNotFound);
  EXPECT_EQ(exitCodeFor(unavailable("no reply")), ExitCode::kUnavailable);
  EXPECT_EQ(exitCodeFor({StatusCode::kResourceExhausted, "full"}), ExitCode::kFailed);
  EXPECT_EQ(exitCodeFor(failedPrecondition("not dead")), ExitCode::kFailed);
  // The broker refusing an argument is a refusal, not a local usage error.
  EXPECT_EQ(exitCodeFor(invalidArgument("bad")), ExitCode::kFailed);
  EXPECT_EQ(exitCodeFor({StatusCode::kMalformed, "x"}), ExitCode::kFailed);
  EXPECT_EQ(exitCodeFor({StatusCode::kUnsupportedVersion, "x"}), ExitCode::kFailed);
  EXPECT_EQ(exitCodeFor({StatusCode::kUnknownMessage, "x"}), ExitCode::kFailed);
  EXPECT_EQ(exitCodeFor({StatusCode::kInternal, "x"}), ExitCode::kFailed);
}

TEST(ExitCode, NumbersAreTheDocumentedOnes) {
  EXPECT_EQ(toInt(ExitCode::kOk), 0);
  EXPECT_EQ(toInt(ExitCode::kFailed), 1);
  EXPECT_EQ(toInt(ExitCode::kUsage), 2);
  EXPECT_EQ(toInt(ExitCode::kUnavailable), 3);
  EXPECT_EQ(toInt(ExitCode::kNotFound), 4);
  const std::string help = exitCodeHelp();
  for (const char* line : {"0  ok", "1  the broker refused", "2  usage error",
                           "3  broker or database unreachable", "4  not found"}) {
    EXPECT_NE(help.find(line), std::string::npos) << line;
  }
}

TEST(DescribeFailure, QueueFullSaysWhatToDo) {
  const Status full(StatusCode::kResourceExhausted, "queue 'x' is full (capacity 1000)");
  EXPECT_EQ(describeFailure(full),
            "queue 'x' is full (capacity 1000): wait for it to drain or raise --queue-capacity "
            "on the broker");
}

TEST(DescribeFailure, DoesNotRepeatAdviceTheBrokerAlreadyGave) {
  const Status full(StatusCode::kResourceExhausted, "queue 'x' is full; raise --queue-capacity");
  EXPECT_EQ(describeFailure(full), full.message());
}

TEST(DescribeFailure, NeverShowsAConnectionStringPassword) {
  const Status down = unavailable("cannot connect to postgresql://gantry:s3cret@db/gantry");
  const std::string described = describeFailure(down, Peer::kDatabase);
  EXPECT_EQ(described.find("s3cret"), std::string::npos) << described;
  EXPECT_NE(described.find("postgresql://gantry:****@db/gantry"), std::string::npos) << described;
}

TEST(DescribeFailure, UnavailableAdviceDependsOnThePeer) {
  const Status down = unavailable("no reply from broker at tcp://b:5556 within 5000 ms");
  EXPECT_NE(describeFailure(down, Peer::kBroker).find("--broker"), std::string::npos);
  EXPECT_NE(describeFailure(down, Peer::kDatabase).find("DATABASE_URL"), std::string::npos);
}

}  // namespace
}  // namespace gantry::tools
