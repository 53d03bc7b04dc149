#include "scripted_handler.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace gantry::worker {
namespace {

using nlohmann::json;

std::string text(const json& object, const char* field) {
  const auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

uint64_t number(const json& object, const char* field, uint64_t otherwise) {
  const auto it = object.find(field);
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : otherwise;
}

wire::ResourceSignal signalNamed(const std::string& name) {
  if (name == "ok") {
    return wire::RESOURCE_OK;
  }
  if (name == "failure") {
    return wire::RESOURCE_FAILURE;
  }
  if (name == "pushback") {
    return wire::RESOURCE_PUSHBACK;
  }
  return wire::RESOURCE_SIGNAL_UNSPECIFIED;
}

HandlerResult outcomeOf(const json& script) {
  const std::string outcome = text(script, "outcome");
  const std::string error =
      text(script, "error").empty() ? "scripted failure" : text(script, "error");
  if (outcome == "partial") {
    std::vector<Degradation> degraded;
    if (auto it = script.find("degraded"); it != script.end() && it->is_array()) {
      for (const json& entry : *it) {
        if (entry.is_object()) {
          degraded.push_back({text(entry, "what"), text(entry, "reason")});
        }
      }
    }
    if (degraded.empty()) {
      degraded.push_back({"scripted", "degraded by script"});
    }
    return HandlerResult::partial(text(script, "result"), std::move(degraded));
  }
  if (outcome == "retryable") {
    const uint64_t after = number(script, "retry_after_ms", 0);
    const std::string resource = text(script, "resource");
    return resource.empty() ? HandlerResult::retryAfter(error, after)
                            : HandlerResult::resourceFailed(resource, error, after);
  }
  if (outcome == "fatal") {
    return HandlerResult::fatal(error);
  }
  return HandlerResult::succeeded(text(script, "result"));
}

class ScriptedHandler final : public Handler {
 public:
  HandlerResult run(JobContext& ctx) override {
    const json script = json::parse(ctx.payload(), nullptr, /*allow_exceptions=*/false);
    if (!script.is_object()) {
      return HandlerResult::fatal(
          "scripted: payload must be a JSON object (see scripted_handler.h)");
    }
    if (auto it = script.find("acquire"); it != script.end() && it->is_object()) {
      const std::string resource = text(*it, "resource");
      const auto count = static_cast<uint32_t>(number(*it, "count", 1));
      for (uint64_t i = 0, times = number(*it, "times", 1); i < times; ++i) {
        if (Status s = ctx.acquire(resource, count); !s.isOk()) {
          return s.code() == StatusCode::kUnavailable
                     ? HandlerResult::resourceFailed(resource, "scripted: " + s.message())
                     : HandlerResult::fatal("scripted: " + s.message());
        }
      }
    }
    if (auto it = script.find("report"); it != script.end() && it->is_object()) {
      ctx.reportResource(text(*it, "resource"), signalNamed(text(*it, "signal")),
                         number(*it, "retry_after_ms", 0));
    }
    if (auto it = script.find("fan_out"); it != script.end() && it->is_array()) {
      for (const json& entry : *it) {
        if (!entry.is_object()) {
          continue;
        }
        wire::JobSpec child;
        child.set_kind(text(entry, "kind"));
        child.set_queue(text(entry, "queue"));
        child.set_payload(text(entry, "payload"));
        child.set_unique_key(text(entry, "unique_key"));
        child.set_concurrency_key(text(entry, "concurrency_key"));
        child.set_traceparent(ctx.spanContext().valid() ? ctx.spanContext().traceparent()
                                                        : ctx.traceparent());
        ctx.fanOut(std::move(child));
      }
    }
    const uint64_t fail_attempts = number(script, "fail_attempts", 0);
    if (fail_attempts != 0 && ctx.attempt() > fail_attempts) {
      return HandlerResult::succeeded(text(script, "result"));
    }
    return outcomeOf(script);
  }
};

}  // namespace

std::unique_ptr<Handler> makeScriptedHandler() { return std::make_unique<ScriptedHandler>(); }

}  // namespace gantry::worker
