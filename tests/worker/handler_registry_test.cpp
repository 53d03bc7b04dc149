#include "gantry/worker/handler_registry.h"

#include <gtest/gtest.h>

#include "gantry/worker/builtin_handlers.h"

namespace gantry::worker {
namespace {

class NamedHandler final : public Handler {
 public:
  explicit NamedHandler(std::string name) : name_(std::move(name)) {}
  HandlerResult run(JobContext&) override { return HandlerResult::succeeded(name_); }

 private:
  std::string name_;
};

HandlerResult runVia(Handler& handler) {
  JobContext ctx(JobInfo{}, std::make_shared<CancelToken>(), {});
  return handler.run(ctx);
}

TEST(HandlerRegistry, FindsTheHandlerAddedForAKind) {
  HandlerRegistry registry;
  ASSERT_TRUE(registry.add("a", std::make_unique<NamedHandler>("first")).isOk());
  Handler* handler = registry.find("a");
  ASSERT_NE(handler, nullptr);
  EXPECT_EQ(runVia(*handler).result, "first");
}

TEST(HandlerRegistry, FindReturnsNullForUnknownKind) {
  HandlerRegistry registry;
  EXPECT_EQ(registry.find("missing"), nullptr);
}

TEST(HandlerRegistry, RejectsDuplicateKindAndKeepsTheFirst) {
  HandlerRegistry registry;
  ASSERT_TRUE(registry.add("a", std::make_unique<NamedHandler>("first")).isOk());
  const Status second = registry.add("a", std::make_unique<NamedHandler>("second"));
  EXPECT_EQ(second.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runVia(*registry.find("a")).result, "first");
}

TEST(HandlerRegistry, RejectsEmptyKindAndNullHandler) {
  HandlerRegistry registry;
  EXPECT_FALSE(registry.add("", std::make_unique<NamedHandler>("x")).isOk());
  EXPECT_FALSE(registry.add("a", nullptr).isOk());
  EXPECT_TRUE(registry.kinds().empty());
}

TEST(HandlerRegistry, ListsKindsInOrder) {
  HandlerRegistry registry;
  ASSERT_TRUE(addBuiltinHandlers(registry).isOk());
  EXPECT_EQ(registry.kinds(),
            (std::vector<std::string>{"echo", "fatal", "flaky", "noop", "scripted", "sleep"}));
}

}  // namespace
}  // namespace gantry::worker
