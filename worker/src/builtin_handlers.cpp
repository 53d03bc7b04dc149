#include "gantry/worker/builtin_handlers.h"

#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "scripted_handler.h"

namespace gantry::worker {
namespace {

// A whole-string decimal; nullopt for empty input, signs, spaces or overflow.
std::optional<uint64_t> parseDecimal(std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return value;
}

class NoopHandler final : public Handler {
 public:
  HandlerResult run(JobContext&) override { return HandlerResult::succeeded(); }
};

class SleepHandler final : public Handler {
 public:
  static constexpr uint64_t kProgressEveryMs = 1000;

  HandlerResult run(JobContext& ctx) override {
    // The payload is not echoed in errors: it is user data.
    const auto ms = parseDecimal(ctx.payload());
    if (!ms) {
      return HandlerResult::fatal(
          "sleep: payload must be a decimal number of milliseconds, such as \"250\"");
    }
    if (*ms > kMaxSleepMs) {
      return HandlerResult::fatal("sleep: " + std::to_string(*ms) + " ms exceeds the limit of " +
                                  std::to_string(kMaxSleepMs) + " ms");
    }
    // Sleeps longer than a second report progress once a second, so a
    // long job can be watched moving (gantryctl get).
    for (uint64_t slept = 0; slept < *ms;) {
      const uint64_t step = std::min<uint64_t>(*ms - slept, kProgressEveryMs);
      if (ctx.cancelToken().waitFor(std::chrono::milliseconds(step))) {
        return HandlerResult::cancelled(std::string("sleep: stopped early (") +
                                        cancelReasonName(ctx.cancelToken().reason()) + ")");
      }
      slept += step;
      if (slept < *ms) {
        ctx.reportProgress(static_cast<uint32_t>(slept * 100 / *ms),
                           "slept " + std::to_string(slept) + " of " + std::to_string(*ms) + " ms");
      }
    }
    return HandlerResult::succeeded();
  }
};

class EchoHandler final : public Handler {
 public:
  HandlerResult run(JobContext& ctx) override {
    return HandlerResult::succeeded(std::string(ctx.payload()));
  }
};

class FlakyHandler final : public Handler {
 public:
  HandlerResult run(JobContext& ctx) override {
    const auto failures = parseDecimal(ctx.payload());
    if (!failures) {
      return HandlerResult::fatal(
          "flaky: payload must be a decimal number of attempts to fail, such as \"2\"");
    }
    if (ctx.attempt() <= *failures) {
      return HandlerResult::retryable("flaky: failing attempt " + std::to_string(ctx.attempt()) +
                                      " of " + std::to_string(*failures));
    }
    return HandlerResult::succeeded();
  }
};

class FatalHandler final : public Handler {
 public:
  HandlerResult run(JobContext&) override {
    return HandlerResult::fatal("fatal: this handler always fails (by design)");
  }
};

}  // namespace

Status addBuiltinHandlers(HandlerRegistry& registry) {
  struct Entry {
    const char* kind;
    std::unique_ptr<Handler> handler;
  };
  Entry entries[] = {
      {"noop", std::make_unique<NoopHandler>()},   {"sleep", std::make_unique<SleepHandler>()},
      {"echo", std::make_unique<EchoHandler>()},   {"flaky", std::make_unique<FlakyHandler>()},
      {"fatal", std::make_unique<FatalHandler>()}, {"scripted", makeScriptedHandler()},
  };
  for (auto& entry : entries) {
    if (auto status = registry.add(entry.kind, std::move(entry.handler)); !status.isOk()) {
      return status;
    }
  }
  return Status::ok();
}

}  // namespace gantry::worker
