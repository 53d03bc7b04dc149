#include "exporter.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "gantry/common/backoff.h"
#include "gantry/common/log.h"
#include "otlp_codec.h"

namespace gantry::trace {
namespace {

constexpr TimeMs kWarnIntervalMs = 30'000;
// Connecting to a collector is quick or not happening; waiting the whole
// export timeout for it only delays the next batch.
constexpr int64_t kMaxConnectTimeoutMs = 2000;
// Retries back off from 100 ms, doubling, up to 5 s between attempts; the
// export timeout bounds them in total.
constexpr BackoffPolicy kRetryBackoff{100, 5000};

// OTLP/HTTP: these mean "try again later"; every other failure is final.
bool retryable(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// The URL without user:password@, which logs must not show.
std::string redacted(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return url;
  }
  const size_t host_start = scheme_end + 3;
  const size_t at = url.find('@', host_start);
  if (at == std::string::npos || at > url.find('/', host_start)) {
    return url;
  }
  return url.substr(0, host_start) + url.substr(at + 1);
}

}  // namespace

Exporter::Exporter(ExporterOptions options, Clock& clock)
    : options_(std::move(options)),
      clock_(clock),
      queue_(std::make_shared<SpanQueue>(options_.max_queue_spans, options_.max_batch_spans)),
      http_([this] { return clock_.monoMs() >= shutdown_deadline_ms_.load(); }),
      warnings_(clock, kWarnIntervalMs),
      rng_(std::random_device{}()),
      shutdown_deadline_ms_(std::numeric_limits<TimeMs>::max()),
      thread_([this] { run(); }) {}

Exporter::~Exporter() {
  shutdown_deadline_ms_ = clock_.monoMs() + options_.export_timeout_ms;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  // Closed before the last round, so no span can arrive after it.
  queue_->close();
  queue_->wake();
  changed_.notify_all();
  thread_.join();
}

void Exporter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t target = ++flush_requested_;
  lock.unlock();
  queue_->wake();
  lock.lock();
  changed_.wait_for(lock, timeout, [&] { return flush_done_ >= target || stopping_; });
}

void Exporter::run() {
  for (;;) {
    queue_->waitForWork(std::chrono::milliseconds(options_.schedule_delay_ms));
    // The flush target is read before the queue's size, so a flush covers
    // every span ended before it was asked for.
    uint64_t flush_target = 0;
    bool stopping = false;
    {
      std::lock_guard lock(mutex_);
      flush_target = flush_requested_;
      stopping = stopping_;
    }
    exportQueued();
    {
      std::lock_guard lock(mutex_);
      flush_done_ = std::max(flush_done_, flush_target);
    }
    changed_.notify_all();
    if (stopping) {
      return;
    }
  }
}

void Exporter::exportQueued() {
  size_t pending = queue_->size();
  while (pending > 0) {
    std::vector<SpanData> batch = queue_->take(std::min(pending, options_.max_batch_spans));
    if (batch.empty()) {
      return;
    }
    pending -= batch.size();
    exportBatch(std::move(batch));
  }
}

void Exporter::exportBatch(std::vector<SpanData> batch) {
  const size_t count = batch.size();
  HttpPost post{options_.url, encodeExportRequest(options_.resource, batch), options_.headers};
  batch = {};  // the encoded body is all we need from here on
  const TimeMs batch_deadline = clock_.monoMs() + options_.export_timeout_ms;
  for (uint32_t attempt = 1;; ++attempt) {
    const TimeMs deadline = std::min(batch_deadline, shutdown_deadline_ms_.load());
    const TimeMs remaining = deadline - clock_.monoMs();
    if (remaining <= 0) {
      drop(count, "export timed out", 0, "");
      return;
    }
    post.timeout_ms = remaining;
    post.connect_timeout_ms = std::min(
        {remaining, kMaxConnectTimeoutMs, std::max<int64_t>(options_.export_timeout_ms / 5, 1)});
    const Result<HttpResponse> response = http_.post(post);
    if (!response) {
      drop(count, "collector unreachable", 0, response.status().message());
      return;
    }
    const long status = response->status;
    if (status >= 200 && status < 300) {
      const auto rejected = static_cast<size_t>(
          std::clamp<int64_t>(rejectedSpans(response->body), 0, static_cast<int64_t>(count)));
      exported_.fetch_add(count - rejected, std::memory_order_relaxed);
      if (rejected > 0) {
        drop(rejected, "collector rejected spans", status, "");
      }
      return;
    }
    if (!retryable(status)) {
      drop(count, "collector refused the export", status, "");
      return;
    }
    const auto delay = response->retry_after_ms.value_or(
        static_cast<int64_t>(backoffDelayMs(kRetryBackoff, attempt, rng_)));
    if (clock_.monoMs() + delay >= deadline) {
      drop(count, "collector busy past the export timeout", status, "");
      return;
    }
    pause(delay);
  }
}

void Exporter::pause(int64_t ms) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void Exporter::drop(size_t spans, std::string_view why, long http_status, std::string_view error) {
  queue_->countDropped(spans);
  const auto held_back = warnings_.allow();
  if (!held_back) {
    return;
  }
  // Never the headers: they may carry credentials.
  log::warn("trace export failed: " + std::string(why), {{"url", redacted(options_.url)},
                                                         {"dropped_spans", spans},
                                                         {"http_status", http_status},
                                                         {"error", error},
                                                         {"warnings_held_back", *held_back}});
}

}  // namespace gantry::trace
