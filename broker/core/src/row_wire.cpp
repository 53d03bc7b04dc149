#include "gantry/broker/core/row_wire.h"

#include <nlohmann/json.hpp>

namespace gantry::broker {

wire::Job rowToWire(JobRow row) {
  wire::Job out;
  out.set_id(row.id);
  JobFixed& fixed = row.fixed;
  auto* spec = out.mutable_spec();
  spec->set_queue(std::move(fixed.queue));
  spec->set_kind(std::move(fixed.kind));
  spec->set_priority(fixed.priority);
  spec->set_payload(std::move(fixed.payload));
  spec->set_concurrency_key(std::move(fixed.concurrency_key));
  spec->set_unique_key(std::move(fixed.unique_key));
  spec->set_traceparent(std::move(fixed.traceparent));
  spec->set_max_attempts(fixed.max_attempts);
  spec->set_timeout_ms(fixed.timeout_ms);
  out.set_created_at_ms(fixed.created_at_ms);
  JobStatus& status = row.status;
  out.set_state(status.state);
  out.set_attempt(status.attempt);
  spec->set_run_at_ms(status.run_at_ms);
  out.set_updated_at_ms(status.updated_at_ms);
  out.set_started_at_ms(status.started_at_ms);
  out.set_finished_at_ms(status.finished_at_ms);
  out.set_result(std::move(status.result));
  out.set_last_error(std::move(status.last_error));
  out.set_worker_id(std::move(status.worker_id));
  if (!status.degraded.empty()) {
    degradedFromJson(status.degraded, *out.mutable_degraded());
  }
  return out;
}

std::string degradedToJson(const google::protobuf::RepeatedPtrField<wire::Degradation>& degraded) {
  nlohmann::json out = nlohmann::json::array();
  for (const wire::Degradation& d : degraded) {
    out.push_back({{"what", d.what()}, {"reason", d.reason()}});
  }
  // Strings from the wire are valid UTF-8 (proto3), so dump cannot throw.
  return out.dump();
}

void degradedFromJson(const std::string& json,
                      google::protobuf::RepeatedPtrField<wire::Degradation>& out) {
  const nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) {
    auto* entry = out.Add();
    entry->set_what("(unreadable)");
    entry->set_reason("stored degradations are not a JSON array");
    return;
  }
  for (const nlohmann::json& item : parsed) {
    auto* entry = out.Add();
    auto text = [&item](const char* field) {
      return item.is_object() && item.contains(field) && item[field].is_string()
                 ? item[field].get<std::string>()
                 : std::string();
    };
    entry->set_what(text("what"));
    entry->set_reason(text("reason"));
  }
}

wire::Attempt attemptToWire(const AttemptRow& row) {
  wire::Attempt out;
  out.set_attempt(row.attempt);
  out.set_worker_id(row.worker_id);
  out.set_started_at_ms(row.started_at_ms);
  out.set_finished_at_ms(row.finished_at_ms);
  out.set_outcome(row.outcome);
  out.set_error(row.error);
  return out;
}

}  // namespace gantry::broker
