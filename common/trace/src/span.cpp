#include "gantry/trace/span.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "span_data.h"
#include "span_queue.h"

namespace gantry::trace {

int64_t nowUnixNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

void setAttribute(Attributes& attributes, uint32_t& dropped, std::string key,
                  AttributeValue value) {
  auto it = std::find_if(attributes.begin(), attributes.end(),
                         [&](const auto& entry) { return entry.first == key; });
  if (it != attributes.end()) {
    it->second = std::move(value);
  } else if (attributes.size() < kMaxSpanAttributes) {
    attributes.emplace_back(std::move(key), std::move(value));
  } else {
    ++dropped;
  }
}

Span::Span() = default;

Span::Span(const SpanContext& context) : context_(context) {}

Span::Span(const SpanContext& context, std::unique_ptr<detail::SpanRecord> record)
    : context_(context), record_(std::move(record)) {}

Span::~Span() { end(); }

Span::Span(Span&& other) noexcept : context_(other.context_), record_(std::move(other.record_)) {}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    context_ = other.context_;
    record_ = std::move(other.record_);
  }
  return *this;
}

void Span::setAttribute(std::string key, AttributeValue value) {
  if (!record_) {
    return;
  }
  auto& data = record_->data;
  trace::setAttribute(data.attributes, data.dropped_attributes, std::move(key), std::move(value));
}

void Span::addLink(const SpanContext& linked) {
  if (!record_ || !linked.valid()) {
    return;
  }
  auto& data = record_->data;
  if (data.links.size() < kMaxSpanLinks) {
    data.links.push_back(linked);
  } else {
    ++data.dropped_links;
  }
}

void Span::setError(std::string_view message) {
  if (!record_) {
    return;
  }
  auto& data = record_->data;
  data.error = true;
  data.status_message = std::string(message);
  if (data.events.size() < kMaxSpanEvents) {
    data.events.push_back(
        {"exception", nowUnixNs(), {{"exception.message", std::string(message)}}});
  } else {
    ++data.dropped_events;
  }
}

void Span::end() {
  if (record_) {
    end(nowUnixNs());
  }
}

void Span::end(int64_t end_unix_ns) {
  if (!record_) {
    return;
  }
  // Taken first: whatever happens below, the span is ended exactly once.
  const std::unique_ptr<detail::SpanRecord> record = std::move(record_);
  // A wall clock stepped back while the span ran must not make its
  // duration negative.
  record->data.end_unix_ns = std::max(end_unix_ns, record->data.start_unix_ns);
  record->queue->push(std::move(record->data));
}

}  // namespace gantry::trace
