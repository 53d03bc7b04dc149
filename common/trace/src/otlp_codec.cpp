#include "otlp_codec.h"

#include <type_traits>
#include <variant>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace gantry::trace {
namespace {

namespace common_pb = opentelemetry::proto::common::v1;
namespace trace_pb = opentelemetry::proto::trace::v1;
namespace collector_pb = opentelemetry::proto::collector::trace::v1;

constexpr uint32_t kSampledFlag = 0x01;  // W3C trace flags, the low byte of OTLP's flags

void setValue(common_pb::AnyValue& out, const AttributeValue& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out.set_string_value(v);
        } else if constexpr (std::is_same_v<T, int64_t>) {
          out.set_int_value(v);
        } else if constexpr (std::is_same_v<T, double>) {
          out.set_double_value(v);
        } else {
          out.set_bool_value(v);
        }
      },
      value);
}

void addAttributes(google::protobuf::RepeatedPtrField<common_pb::KeyValue>& out,
                   const Attributes& attributes) {
  out.Reserve(static_cast<int>(attributes.size()));
  for (const auto& [key, value] : attributes) {
    auto* kv = out.Add();
    kv->set_key(key);
    setValue(*kv->mutable_value(), value);
  }
}

template <size_t N>
void setBytes(std::string* out, const std::array<uint8_t, N>& bytes) {
  out->assign(reinterpret_cast<const char*>(bytes.data()), N);
}

uint64_t nanos(int64_t unix_ns) { return unix_ns < 0 ? 0 : static_cast<uint64_t>(unix_ns); }

void encodeSpan(trace_pb::Span& out, const SpanData& span) {
  setBytes(out.mutable_trace_id(), span.context.trace_id.bytes);
  setBytes(out.mutable_span_id(), span.context.span_id.bytes);
  if (span.parent_span_id.valid()) {
    setBytes(out.mutable_parent_span_id(), span.parent_span_id.bytes);
  }
  out.set_flags(span.context.sampled ? kSampledFlag : 0);
  out.set_name(span.name);
  out.set_kind(static_cast<trace_pb::Span::SpanKind>(span.kind));
  out.set_start_time_unix_nano(nanos(span.start_unix_ns));
  out.set_end_time_unix_nano(nanos(span.end_unix_ns));
  addAttributes(*out.mutable_attributes(), span.attributes);
  out.set_dropped_attributes_count(span.dropped_attributes);
  for (const SpanEvent& event : span.events) {
    auto* e = out.add_events();
    e->set_name(event.name);
    e->set_time_unix_nano(nanos(event.time_unix_ns));
    addAttributes(*e->mutable_attributes(), event.attributes);
  }
  out.set_dropped_events_count(span.dropped_events);
  for (const SpanContext& link : span.links) {
    auto* l = out.add_links();
    setBytes(l->mutable_trace_id(), link.trace_id.bytes);
    setBytes(l->mutable_span_id(), link.span_id.bytes);
    l->set_flags(link.sampled ? kSampledFlag : 0);
  }
  out.set_dropped_links_count(span.dropped_links);
  if (span.error) {
    out.mutable_status()->set_code(trace_pb::Status::STATUS_CODE_ERROR);
    out.mutable_status()->set_message(span.status_message);
  }
}

}  // namespace

std::string encodeExportRequest(const Attributes& resource, const std::vector<SpanData>& spans) {
  collector_pb::ExportTraceServiceRequest request;
  auto* resource_spans = request.add_resource_spans();
  addAttributes(*resource_spans->mutable_resource()->mutable_attributes(), resource);
  auto* scope_spans = resource_spans->add_scope_spans();
  scope_spans->mutable_scope()->set_name(std::string(kScopeName));
  scope_spans->mutable_spans()->Reserve(static_cast<int>(spans.size()));
  for (const SpanData& span : spans) {
    encodeSpan(*scope_spans->add_spans(), span);
  }
  return request.SerializeAsString();
}

int64_t rejectedSpans(std::string_view response_body) {
  collector_pb::ExportTraceServiceResponse response;
  if (response_body.empty() ||
      !response.ParseFromArray(response_body.data(), static_cast<int>(response_body.size()))) {
    return 0;
  }
  return response.partial_success().rejected_spans();
}

}  // namespace gantry::trace
