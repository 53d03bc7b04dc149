#include "gantry/trace/span_context.h"

#include <algorithm>
#include <random>

namespace gantry::trace {
namespace {

constexpr size_t kVersion00Length = 55;  // "00-" 32 "-" 16 "-" 2
constexpr char kHexDigits[] = "0123456789abcdef";

// Lowercase only: W3C Trace Context says to ignore a traceparent with
// uppercase hex.
int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

// Decodes exactly 2 * N hex characters into `out`.
template <size_t N>
bool decodeHex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N) {
    return false;
  }
  for (size_t i = 0; i < N; ++i) {
    const int hi = hexValue(text[2 * i]);
    const int lo = hexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return false;
    }
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

template <size_t N>
std::string encodeHex(const std::array<uint8_t, N>& bytes) {
  std::string out;
  out.reserve(2 * N);
  for (const uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0f]);
  }
  return out;
}

template <size_t N>
bool allZero(const std::array<uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::mt19937_64& generator() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

// Fills `bytes` from the generator, drawing again in the (2^-64) case that
// they come out all zero.
template <size_t N>
void fillRandom(std::array<uint8_t, N>& bytes) {
  auto& rng = generator();
  do {
    for (size_t i = 0; i < N; i += 8) {
      uint64_t word = rng();
      for (size_t j = i; j < std::min(N, i + 8); ++j) {
        bytes[j] = static_cast<uint8_t>(word);
        word >>= 8;
      }
    }
  } while (allZero(bytes));
}

}  // namespace

bool TraceId::valid() const { return !allZero(bytes); }
bool SpanId::valid() const { return !allZero(bytes); }
bool SpanContext::valid() const { return trace_id.valid() && span_id.valid(); }

std::optional<SpanContext> SpanContext::fromTraceparent(std::string_view text) {
  if (text.size() < kVersion00Length) {
    return std::nullopt;
  }
  std::array<uint8_t, 1> version{};
  if (!decodeHex(text.substr(0, 2), version) || version[0] == 0xff) {
    return std::nullopt;
  }
  // Version 00 is exactly 55 characters. A later version may append fields,
  // each after a '-'; the first 55 characters still parse as version 00.
  if (text.size() > kVersion00Length && (version[0] == 0 || text[kVersion00Length] != '-')) {
    return std::nullopt;
  }
  if (text[2] != '-' || text[35] != '-' || text[52] != '-') {
    return std::nullopt;
  }
  SpanContext context;
  std::array<uint8_t, 1> flags{};
  if (!decodeHex(text.substr(3, 32), context.trace_id.bytes) ||
      !decodeHex(text.substr(36, 16), context.span_id.bytes) ||
      !decodeHex(text.substr(53, 2), flags) || !context.valid()) {
    return std::nullopt;
  }
  context.sampled = (flags[0] & 0x01) != 0;
  return context;
}

std::string SpanContext::traceparent() const {
  return "00-" + traceIdHex() + "-" + spanIdHex() + (sampled ? "-01" : "-00");
}

std::string SpanContext::traceIdHex() const { return encodeHex(trace_id.bytes); }
std::string SpanContext::spanIdHex() const { return encodeHex(span_id.bytes); }

SpanId SpanId::fromNumber(uint64_t number) {
  SpanId id;
  for (int i = 7; i >= 0; --i) {
    id.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(number & 0xff);
    number >>= 8;
  }
  return id;
}

uint64_t SpanId::number() const {
  uint64_t number = 0;
  for (uint8_t byte : bytes) {
    number = (number << 8) | byte;
  }
  return number;
}

TraceId newTraceId() {
  TraceId id;
  fillRandom(id.bytes);
  return id;
}

SpanId newSpanId() {
  SpanId id;
  fillRandom(id.bytes);
  return id;
}

}  // namespace gantry::trace
