// OTLP/HTTP bodies in their binary protobuf encoding, built with the
// official messages (gantry_otlp_proto); the generated types stay inside
// this file's .cpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "span_data.h"

namespace gantry::trace {

// The instrumentation scope every span is reported under.
constexpr std::string_view kScopeName = "gantry";

// A serialized ExportTraceServiceRequest: one ResourceSpans with `resource`,
// one ScopeSpans named kScopeName, then `spans` in order.
std::string encodeExportRequest(const Attributes& resource, const std::vector<SpanData>& spans);

// partial_success.rejected_spans from an ExportTraceServiceResponse body;
// 0 for an empty body or one that does not decode (OTLP lets a collector
// answer 2xx with no body, meaning everything was accepted).
int64_t rejectedSpans(std::string_view response_body);

}  // namespace gantry::trace
