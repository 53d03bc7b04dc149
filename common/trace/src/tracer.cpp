#include "gantry/trace/tracer.h"

#include <cmath>
#include <utility>

#include "exporter.h"
#include "gantry/common/log.h"
#include "key_value_list.h"
#include "resource.h"
#include "span_data.h"

namespace gantry::trace {
namespace {

// OTel's TraceIdRatioBased: sampled when the trace id's lower 8 bytes, read
// as a big-endian integer, are below ratio * 2^64. Every process that sees
// the trace id decides the same way.
bool ratioSamples(const TraceId& trace_id, double ratio) {
  if (ratio >= 1.0) {
    return true;
  }
  if (!(ratio > 0.0)) {
    return false;
  }
  uint64_t low = 0;
  for (size_t i = 8; i < 16; ++i) {
    low = (low << 8) | trace_id.bytes[i];
  }
  // ratio < 1, so the bound is below 2^64 and fits.
  return low < static_cast<uint64_t>(std::ldexp(ratio, 64));
}

ExporterOptions exporterOptions(const TracerConfig& config, std::string service_name) {
  ExporterOptions options;
  options.url = config.tracesUrl();
  options.headers = {"Content-Type: application/x-protobuf",
                     // No "Expect: 100-continue" round trip for large batches.
                     "Expect:"};
  // validate() has parsed these already.
  if (auto headers = parseKeyValueList(config.headers)) {
    for (const auto& [name, value] : *headers) {
      options.headers.push_back(name + ": " + value);
    }
  }
  options.resource = buildResource(config, std::move(service_name));
  options.max_queue_spans = config.max_queue_spans;
  options.max_batch_spans = config.max_batch_spans;
  options.schedule_delay_ms = config.schedule_delay_ms;
  options.export_timeout_ms = config.export_timeout_ms;
  return options;
}

}  // namespace

Tracer::Tracer(TracerConfig config, std::string default_service_name, Clock& clock)
    : config_(std::move(config)) {
  if (!config_.enabled()) {
    return;
  }
  if (Status status = validate(config_); !status.isOk()) {
    log::error("tracing is off: invalid tracer configuration", {{"error", status.message()}});
    return;
  }
  exporter_ =
      std::make_unique<Exporter>(exporterOptions(config_, std::move(default_service_name)), clock);
}

Tracer::~Tracer() = default;

Span Tracer::startSpan(std::string_view name, SpanKind kind, StartOptions options) {
  const bool has_parent = options.parent.has_value() && options.parent->valid();
  if (!exporter_) {
    return has_parent ? Span(*options.parent) : Span();
  }
  SpanContext context;
  context.trace_id = has_parent ? options.parent->trace_id : newTraceId();
  context.span_id = options.span_id && options.span_id->valid() ? *options.span_id : newSpanId();
  context.sampled = has_parent && config_.follow_parent
                        ? options.parent->sampled
                        : ratioSamples(context.trace_id, config_.sample_ratio);
  if (!context.sampled) {
    return Span(context);
  }
  auto record = std::make_unique<detail::SpanRecord>();
  SpanData& data = record->data;
  data.context = context;
  if (has_parent) {
    data.parent_span_id = options.parent->span_id;
  }
  data.name = std::string(name);
  data.kind = kind;
  data.start_unix_ns = options.start_unix_ns != 0 ? options.start_unix_ns : nowUnixNs();
  for (const SpanContext& link : options.links) {
    if (!link.valid()) {
      continue;
    }
    if (data.links.size() < kMaxSpanLinks) {
      data.links.push_back(link);
    } else {
      ++data.dropped_links;
    }
  }
  record->queue = exporter_->queue();
  return Span(context, std::move(record));
}

SpanContext Tracer::newRootContext() const {
  if (!exporter_) {
    return {};
  }
  SpanContext context{newTraceId(), newSpanId(), false};
  context.sampled = ratioSamples(context.trace_id, config_.sample_ratio);
  return context;
}

uint64_t Tracer::droppedSpans() const { return exporter_ ? exporter_->queue()->dropped() : 0; }

uint64_t Tracer::exportedSpans() const { return exporter_ ? exporter_->exported() : 0; }

size_t Tracer::queuedSpans() const { return exporter_ ? exporter_->queue()->size() : 0; }

void Tracer::flush(std::chrono::milliseconds timeout) {
  if (exporter_) {
    exporter_->flush(timeout);
  }
}

}  // namespace gantry::trace
