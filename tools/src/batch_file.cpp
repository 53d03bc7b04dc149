#include "gantry/tools/batch_file.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "gantry/tools/integer_rule.h"
#include "gantry/tools/text_encoding.h"

namespace gantry::tools {
namespace {

using nlohmann::json;

constexpr const char* kKnownFields =
    "kind, queue, priority, key, unique, payload, payload_base64, delay_ms, run_at_ms, "
    "max_attempts, timeout_ms, traceparent";

Status fieldError(std::string_view field, const std::string& problem) {
  return invalidArgument(std::string(field) + ": " + problem);
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse
// error at line 1, column 7: ..."; the line is ours to report, the column helps.
std::string parseErrorText(const std::string& what) {
  const auto column = what.find("column");
  return column == std::string::npos ? what : what.substr(column);
}

// The value of an integer field within the rule's range. JSON numbers
// beyond int64 arrive as unsigned or as floats, and are refused as such.
Result<int64_t> integerField(const json& value, std::string_view field, const IntegerRule& rule) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(rule.max) && static_cast<int64_t>(u) >= rule.min) {
      return static_cast<int64_t>(u);
    }
  } else if (value.is_number_integer()) {
    const auto s = value.get<int64_t>();
    if (s >= rule.min && s <= rule.max) {
      return s;
    }
  }
  return fieldError(field, ruleViolation(rule, value.dump()));
}

Result<std::string> stringField(const json& value, std::string_view field) {
  if (!value.is_string()) {
    return fieldError(field, "must be a string, got " + value.dump());
  }
  return value.get<std::string>();
}

// The fields of a line, gathered before they are combined, so that
// conflicting pairs (delay_ms and run_at_ms) can be reported as such.
struct LineFields {
  std::optional<int64_t> delay_ms;
  std::optional<int64_t> run_at_ms;
  bool has_payload = false;
  bool has_payload_base64 = false;
  bool has_key = false;
  bool has_unique = false;
};

Status applyField(const std::string& name, const json& value, const JobLimits& limits,
                  wire::JobSpec& spec, LineFields& seen) {
  if (name == "kind" || name == "queue" || name == "traceparent") {
    auto text = stringField(value, name);
    if (!text.isOk()) {
      return text.status();
    }
    if (name == "kind") {
      spec.set_kind(std::move(*text));
    } else if (name == "queue") {
      spec.set_queue(std::move(*text));
    } else {
      spec.set_traceparent(std::move(*text));
    }
    return Status::ok();
  }
  if (name == "key" || name == "concurrency_key" || name == "unique" || name == "unique_key") {
    const bool is_key = name == "key" || name == "concurrency_key";
    bool& already = is_key ? seen.has_key : seen.has_unique;
    if (already) {
      return fieldError(name, is_key ? "give either key or concurrency_key, not both"
                                     : "give either unique or unique_key, not both");
    }
    already = true;
    auto text = stringField(value, name);
    if (!text.isOk()) {
      return text.status();
    }
    if (is_key) {
      spec.set_concurrency_key(std::move(*text));
    } else {
      spec.set_unique_key(std::move(*text));
    }
    return Status::ok();
  }
  if (name == "payload") {
    seen.has_payload = true;
    if (value.is_string()) {
      spec.set_payload(value.get<std::string>());
    } else if (value.is_object() || value.is_array()) {
      spec.set_payload(value.dump());
    } else {
      return fieldError(name, "must be a string, an object or an array, got " + value.dump());
    }
    return Status::ok();
  }
  if (name == "payload_base64") {
    seen.has_payload_base64 = true;
    auto text = stringField(value, name);
    if (!text.isOk()) {
      return text.status();
    }
    auto bytes = base64Decode(*text);
    if (!bytes.isOk()) {
      return fieldError(name, bytes.status().message());
    }
    spec.set_payload(std::move(*bytes));
    return Status::ok();
  }
  if (name == "priority") {
    auto n = integerField(value, name, priorityRule());
    if (!n.isOk()) {
      return n.status();
    }
    spec.set_priority(static_cast<int32_t>(*n));
    return Status::ok();
  }
  if (name == "delay_ms" || name == "run_at_ms") {
    auto n = integerField(value, name, name == "delay_ms" ? delayMsRule() : runAtMsRule());
    if (!n.isOk()) {
      return n.status();
    }
    (name == "delay_ms" ? seen.delay_ms : seen.run_at_ms) = *n;
    return Status::ok();
  }
  if (name == "max_attempts" || name == "timeout_ms") {
    const bool is_attempts = name == "max_attempts";
    auto n =
        integerField(value, name, is_attempts ? maxAttemptsRule(limits) : timeoutMsRule(limits));
    if (!n.isOk()) {
      return n.status();
    }
    if (is_attempts) {
      spec.set_max_attempts(static_cast<uint32_t>(*n));
    } else {
      spec.set_timeout_ms(static_cast<uint32_t>(*n));
    }
    return Status::ok();
  }
  return fieldError(name, std::string("unknown field (known: ") + kKnownFields + ")");
}

}  // namespace

Result<wire::JobSpec> parseBatchLine(std::string_view line, const BatchOptions& options) {
  json object;
  try {
    object = json::parse(line);
  } catch (const json::parse_error& e) {
    return invalidArgument("not valid JSON: " + parseErrorText(e.what()));
  }
  if (!object.is_object()) {
    return invalidArgument("expected a JSON object with at least \"kind\", got " +
                           std::string(object.type_name()));
  }
  wire::JobSpec spec;
  LineFields seen;
  for (const auto& [name, value] : object.items()) {
    if (value.is_null()) {
      continue;
    }
    if (Status s = applyField(name, value, options.limits, spec, seen); !s.isOk()) {
      return s;
    }
  }
  if (seen.has_payload && seen.has_payload_base64) {
    return fieldError("payload", "give either payload or payload_base64, not both");
  }
  if (seen.delay_ms && seen.run_at_ms) {
    return fieldError("delay_ms", "give either delay_ms or run_at_ms, not both");
  }
  if (seen.delay_ms) {
    spec.set_run_at_ms(options.now + *seen.delay_ms);
  } else if (seen.run_at_ms) {
    spec.set_run_at_ms(*seen.run_at_ms);
  }
  if (spec.queue().empty()) {
    spec.set_queue(kDefaultQueue);
  }
  if (Status s = validateJobSpec(spec, options.limits); !s.isOk()) {
    return s;
  }
  return spec;
}

Result<Batch> parseBatch(std::istream& in, std::string_view source, const BatchOptions& options) {
  Batch batch;
  std::vector<std::string> errors;
  size_t error_count = 0;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.find_first_not_of(" \t") == std::string::npos) {
      continue;
    }
    auto spec = parseBatchLine(line, options);
    if (!spec.isOk()) {
      if (++error_count <= options.max_errors) {
        errors.push_back(std::string(source) + ":" + std::to_string(number) + ": " +
                         spec.status().message());
      }
      continue;
    }
    batch.specs.push_back(std::move(*spec));
    batch.lines.push_back(number);
  }
  if (in.bad()) {
    return invalidArgument("cannot read " + std::string(source));
  }
  if (error_count == 1) {
    return invalidArgument(errors.front());
  }
  if (error_count > 1) {
    std::string message = std::to_string(error_count) + " invalid lines in " + std::string(source) +
                          "; nothing was submitted:";
    for (const auto& error : errors) {
      message += "\n  " + error;
    }
    if (error_count > errors.size()) {
      message += "\n  ... and " + std::to_string(error_count - errors.size()) + " more";
    }
    return invalidArgument(std::move(message));
  }
  if (batch.specs.empty()) {
    return invalidArgument(std::string(source) + ": no jobs (expected one JSON object per line)");
  }
  return batch;
}

std::vector<std::pair<size_t, size_t>> planChunks(const std::vector<wire::JobSpec>& specs,
                                                  size_t max_jobs, size_t max_bytes) {
  std::vector<std::pair<size_t, size_t>> chunks;
  size_t begin = 0;
  size_t bytes = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const size_t size = specs[i].ByteSizeLong();
    const bool full = i - begin == max_jobs || (i > begin && bytes + size > max_bytes);
    if (full) {
      chunks.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (begin < specs.size()) {
    chunks.emplace_back(begin, specs.size());
  }
  return chunks;
}

}  // namespace gantry::tools
