// The identity of a span as it crosses process boundaries: trace id, span id
// and the sampled flag, written as a W3C Trace Context `traceparent`
// (https://www.w3.org/TR/trace-context/). Jobs carry it from the submitter
// through the broker to the worker, so their spans join one trace.
//
// Plain values, thread-compatible. newTraceId() and newSpanId() are
// thread-safe (one generator per thread).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gantry::trace {

// All-zero is the invalid id, as in W3C Trace Context and OTLP.
struct TraceId {
  std::array<uint8_t, 16> bytes{};
  bool valid() const;
  bool operator==(const TraceId&) const = default;
};

struct SpanId {
  std::array<uint8_t, 8> bytes{};
  bool valid() const;
  bool operator==(const SpanId&) const = default;

  // The id as a big-endian 64-bit number and back, for protocols that carry
  // span ids as integers (gantry's Assign). 0 is the invalid id.
  static SpanId fromNumber(uint64_t number);
  uint64_t number() const;
};

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  bool sampled = false;  // the W3C "sampled" trace flag: spans of this trace are recorded

  // Both ids are non-zero.
  bool valid() const;
  bool operator==(const SpanContext&) const = default;

  // Parses "00-<32 hex>-<16 hex>-<2 hex flags>" (lowercase hex, exactly 55
  // characters for version 00). nullopt on anything malformed: wrong length
  // or separators, uppercase or non-hex digits, all-zero ids, version "ff".
  // A higher version is accepted as the spec asks: its first 55 characters
  // parse as version 00 and anything after them must start with '-'. Only
  // the sampled bit of the flags is kept. No whitespace is trimmed.
  static std::optional<SpanContext> fromTraceparent(std::string_view text);

  // The version-00 traceparent; flags "01" when sampled, else "00".
  std::string traceparent() const;
  // Lowercase hex, 32 and 16 characters: the form logs and trace UIs show.
  std::string traceIdHex() const;
  std::string spanIdHex() const;
};

// Random, never zero. Cheap: a thread_local 64-bit generator seeded once per
// thread from std::random_device. Not for secrets.
TraceId newTraceId();
SpanId newSpanId();

}  // namespace gantry::trace
