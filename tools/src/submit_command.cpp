// gantryctl submit: one job from flags, or many from a JSON-lines file sent
// in chunks. Everything is validated before the broker is contacted.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "gantry/common/job_spec.h"
#include "gantry/tools/batch_file.h"
#include "gantry/tools/command.h"
#include "gantry/tools/time_text.h"
#include "gantry/trace/span_context.h"

namespace gantry::tools {
namespace {

constexpr const char* kName = "submit";
// Jobs per submit request: large enough to amortise the round trip and the
// broker's group commit, small enough that one refused chunk is cheap to redo.
constexpr size_t kChunkJobs = 500;
// Encoded bytes per request, well under kMaxEnvelopeBytes so 500 large
// payloads never make an envelope the broker must refuse.
constexpr size_t kChunkBytes = 16u << 20;

struct SubmitFlags {
  std::string kind;
  std::string queue = kDefaultQueue;
  int32_t priority = 0;
  std::string key;
  std::string unique;
  std::string delay;
  std::optional<int64_t> run_at_ms;
  uint32_t max_attempts = 0;
  std::string timeout;
  std::optional<std::string> payload;
  std::string payload_file;
  std::string batch;
  std::string traceparent;  // continue this trace (W3C traceparent)
};

// --timeout after submit: a duration no longer than the longest attempt a
// job may have.
std::string checkJobTimeout(const std::string& text, const JobLimits& limits) {
  auto ms = parseDurationMs(text);
  if (!ms.isOk()) {
    return ms.status().message();
  }
  if (*ms > limits.max_timeout_ms) {
    return "must be at most " + maxTimeoutText(limits) + ", got " + text;
  }
  return std::string();
}

Result<std::string> readInput(CommandContext& ctx, const std::string& path, const char* what) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(ctx.in()), {});
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return invalidArgument(std::string("cannot open ") + what + " '" + path + "'");
  }
  return std::string(std::istreambuf_iterator<char>(file), {});
}

// The one job described by the flags, validated.
Result<wire::JobSpec> specFromFlags(CommandContext& ctx, const SubmitFlags& flags) {
  wire::JobSpec spec;
  spec.set_kind(flags.kind);
  spec.set_queue(flags.queue);
  spec.set_priority(flags.priority);
  spec.set_concurrency_key(flags.key);
  spec.set_unique_key(flags.unique);
  spec.set_max_attempts(flags.max_attempts);
  if (!flags.delay.empty()) {
    spec.set_run_at_ms(ctx.now() + parseDurationMs(flags.delay).value());
  } else if (flags.run_at_ms) {
    spec.set_run_at_ms(*flags.run_at_ms);
  }
  if (!flags.timeout.empty()) {
    spec.set_timeout_ms(static_cast<uint32_t>(parseDurationMs(flags.timeout).value()));
  }
  if (flags.payload) {
    spec.set_payload(*flags.payload);
  } else if (!flags.payload_file.empty()) {
    auto bytes = readInput(ctx, flags.payload_file, "payload file");
    if (!bytes.isOk()) {
      return bytes.status();
    }
    spec.set_payload(std::move(*bytes));
  }
  if (Status s = validateJobSpec(spec, JobLimits{}); !s.isOk()) {
    return s;
  }
  return spec;
}

Result<Batch> batchFromFile(CommandContext& ctx, const std::string& path) {
  BatchOptions options;
  options.now = ctx.now();
  if (path == "-") {
    return parseBatch(ctx.in(), "<stdin>", options);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return invalidArgument("cannot open batch file '" + path + "'");
  }
  return parseBatch(file, path, options);
}

// The --json document: the jobs acknowledged and, after a failure, what
// went wrong (docs/operations.md, "submit").
nlohmann::json submitDocument(nlohmann::json jobs, size_t submitted, size_t duplicates,
                              nlohmann::json warnings, const Status& failure,
                              const std::string& not_sent) {
  nlohmann::json document = {{"jobs", std::move(jobs)},
                             {"submitted", submitted},
                             {"duplicates", duplicates},
                             {"warnings", std::move(warnings)}};
  if (!failure.isOk()) {
    document["error"] = {{"code", statusCodeName(failure.code())},
                         {"message", failure.message() + not_sent}};
  }
  return document;
}

// A usage error, found before the broker was contacted. Scripts get the
// --json document all the same, with nothing submitted.
int refuse(CommandContext& ctx, std::string_view message) {
  if (ctx.json()) {
    ctx.printJson(submitDocument(nlohmann::json::array(), 0, 0, nlohmann::json::array(),
                                 invalidArgument(std::string(message)), ""));
  }
  return ctx.usageError(kName, message);
}

void printSubmitted(CommandContext& ctx, const Batch& batch, const wire::SubmitReply& reply,
                    size_t first) {
  for (int i = 0; i < reply.ids_size(); ++i) {
    ctx.out() << reply.ids(i);
    if (reply.duplicate(i)) {
      ctx.out() << "  duplicate of existing job (unique key '"
                << batch.specs[first + i].unique_key() << "')";
    }
    ctx.out() << "\n";
  }
}

int runSubmit(CommandContext& ctx, const SubmitFlags& flags) {
  Batch batch;
  if (!flags.batch.empty()) {
    auto parsed = batchFromFile(ctx, flags.batch);
    if (!parsed.isOk()) {
      return refuse(ctx, parsed.status().message());
    }
    batch = std::move(*parsed);
  } else {
    if (flags.kind.empty()) {
      return refuse(ctx, "--kind is required (or give --batch FILE)");
    }
    auto spec = specFromFlags(ctx, flags);
    if (!spec.isOk()) {
      return refuse(ctx, spec.status().message());
    }
    batch.specs.push_back(std::move(*spec));
    batch.lines.push_back(0);
  }
  if (!flags.traceparent.empty()) {
    if (!trace::SpanContext::fromTraceparent(flags.traceparent)) {
      return refuse(ctx, "--traceparent (TRACEPARENT): '" + flags.traceparent +
                             "' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)");
    }
    for (auto& spec : batch.specs) {
      if (spec.traceparent().empty()) {
        spec.set_traceparent(flags.traceparent);
      }
    }
  }
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return refuse(ctx, client.status().message());
  }

  nlohmann::json jobs = nlohmann::json::array();
  // Accepted, but something will keep the jobs waiting (no worker runs
  // their kind): said once each, however many chunks repeat it.
  nlohmann::json warnings = nlohmann::json::array();
  size_t submitted = 0;
  size_t duplicates = 0;
  Status failure;
  std::pair<size_t, size_t> failed_range;
  for (const auto& [begin, end] : planChunks(batch.specs, kChunkJobs, kChunkBytes)) {
    const auto part = std::span(batch.specs).subspan(begin, end - begin);
    std::vector<wire::JobSpec> chunk(part.begin(), part.end());
    auto reply = client->submit(std::move(chunk));
    if (!reply.isOk()) {
      failure = reply.status();
      failed_range = {begin, end};
      break;
    }
    for (int i = 0; i < reply->ids_size(); ++i) {
      jobs.push_back({{"id", reply->ids(i)}, {"duplicate", reply->duplicate(i)}});
      duplicates += reply->duplicate(i) ? 1 : 0;
    }
    for (const std::string& warning : reply->warnings()) {
      if (std::find(warnings.begin(), warnings.end(), warning) == warnings.end()) {
        warnings.push_back(warning);
        ctx.err() << "gantryctl " << kName << ": warning: " << warning << "\n";
      }
    }
    if (!ctx.json()) {
      printSubmitted(ctx, batch, *reply, begin);
    }
    submitted += end - begin;
  }

  const bool is_batch = !flags.batch.empty();
  std::string not_sent;
  if (!failure.isOk() && is_batch) {
    // Later chunks were never sent; the failed one may or may not have been
    // applied if the broker went silent, so name its lines too.
    not_sent = "; lines " + std::to_string(batch.lines[failed_range.first]) + "-" +
               std::to_string(batch.lines.back()) + " (" +
               std::to_string(batch.specs.size() - failed_range.first) +
               " jobs) were not acknowledged" +
               (submitted > 0 ? ", the " + std::to_string(submitted) + " before them were" : "");
  }
  if (ctx.json()) {
    ctx.printJson(submitDocument(std::move(jobs), submitted, duplicates, std::move(warnings),
                                 failure, not_sent));
  } else if (is_batch && failure.isOk()) {
    ctx.err() << "submitted " << submitted << " jobs (" << submitted - duplicates << " new, "
              << duplicates << (duplicates == 1 ? " duplicate" : " duplicates") << ")\n";
  }
  if (!failure.isOk()) {
    ctx.err() << "gantryctl " << kName << ": " << describeFailure(failure) << not_sent << "\n";
    return toInt(exitCodeFor(failure));
  }
  return toInt(ExitCode::kOk);
}

}  // namespace

void addSubmitCommand(CLI::App& app, CommandList& commands) {
  auto flags = std::make_shared<SubmitFlags>();
  CLI::App* sub = app.add_subcommand(kName, "submit a job, or a batch of jobs from JSON lines");
  const CLI::Validator duration(checkDuration, "", "duration");
  const JobLimits limits;
  auto* kind = sub->add_option("--kind", flags->kind, "job kind (which handler runs it)");
  auto* queue = sub->add_option("--queue", flags->queue, "queue name")->capture_default_str();
  auto* priority = sub->add_option("--priority", flags->priority, "0..9, higher runs first")
                       ->transform(checkInteger(priorityRule()))
                       ->capture_default_str();
  auto* key = sub->add_option("--key", flags->key,
                              "concurrency key, e.g. user:42 (capped per key by the broker)");
  auto* unique = sub->add_option("--unique", flags->unique,
                                 "unique key: a live job with the same key is returned instead");
  auto* delay = sub->add_option("--delay", flags->delay, "run after this long, e.g. 30s, 5m")
                    ->type_name("DURATION")
                    ->check(duration);
  auto* run_at = sub->add_option("--run-at", flags->run_at_ms, "run at this unix time (ms)")
                     ->type_name("UNIX_MS")
                     ->transform(checkInteger(runAtMsRule()));
  auto* attempts =
      sub->add_option("--max-attempts", flags->max_attempts,
                      "attempts before the job is dead, 0.." + std::to_string(limits.max_attempts) +
                          " (0: the kind's default)")
          ->transform(checkInteger(maxAttemptsRule(limits)));
  auto* timeout =
      sub->add_option("--timeout,--job-timeout", flags->timeout,
                      "per-attempt run time limit, at most " + maxTimeoutText(limits) +
                          " (default: the kind's)")
          ->type_name("DURATION")
          ->check(CLI::Validator(
              [limits](const std::string& text) { return checkJobTimeout(text, limits); }, "",
              "job timeout"));
  auto* payload = sub->add_option("--payload", flags->payload, "payload text");
  auto* payload_file = sub->add_option("--payload-file", flags->payload_file,
                                       "read the payload from a file (- for stdin)")
                           ->type_name("PATH");
  auto* batch = sub->add_option("--batch", flags->batch,
                                "submit the jobs in a JSON-lines file (- for stdin); see "
                                "docs/operations.md for the fields")
                    ->type_name("FILE");
  sub->add_option("--traceparent", flags->traceparent,
                  "continue this W3C trace: the jobs' spans join it (default: $TRACEPARENT, "
                  "else a new trace when OTEL_EXPORTER_OTLP_ENDPOINT is set)")
      ->envname("TRACEPARENT");
  delay->excludes(run_at);
  payload->excludes(payload_file);
  for (CLI::Option* single : {kind, queue, priority, key, unique, delay, run_at, attempts, timeout,
                              payload, payload_file}) {
    batch->excludes(single);
  }
  commands.push_back(
      {sub, [flags](CommandContext& ctx) { return runSubmit(ctx, *flags); }, refuse});
}

}  // namespace gantry::tools
