// The batch exporter behind an enabled Tracer: owns the span queue and one
// thread that sends what is queued to the collector as OTLP/HTTP protobuf,
// every schedule delay or when a batch is full. Retries 429/502/503/504 with
// backoff (honouring Retry-After) within the export timeout; drops and
// counts everything else that fails. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gantry/common/clock.h"
#include "http_client.h"
#include "log_limiter.h"
#include "span_data.h"
#include "span_queue.h"

namespace gantry::trace {

struct ExporterOptions {
  std::string url;                   // where batches are POSTed
  std::vector<std::string> headers;  // "Name: value", sent with every request; never logged
  Attributes resource;
  size_t max_queue_spans = 2048;
  size_t max_batch_spans = 512;
  int64_t schedule_delay_ms = 1000;
  int64_t export_timeout_ms = 10000;
};

class Exporter {
 public:
  // Starts the thread. `clock` must outlive the exporter.
  Exporter(ExporterOptions options, Clock& clock);
  // Closes the queue, exports what it holds (and what is in flight) until
  // export_timeout_ms from now, drops the rest, joins.
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  // Where ended spans go; Spans share it so that they may outlive us.
  const std::shared_ptr<SpanQueue>& queue() const { return queue_; }
  uint64_t exported() const { return exported_.load(std::memory_order_relaxed); }
  // Exports what is queued now; waits for that or `timeout`.
  void flush(std::chrono::milliseconds timeout);

 private:
  void run();
  // Exports (or drops) the spans queued when called, batch by batch.
  void exportQueued();
  void exportBatch(std::vector<SpanData> batch);
  // Waits `ms`, or less if stopping begins. Exporter thread only.
  void pause(int64_t ms);
  void drop(size_t spans, std::string_view why, long http_status, std::string_view error);

  const ExporterOptions options_;
  Clock& clock_;
  const std::shared_ptr<SpanQueue> queue_;
  HttpClient http_;      // exporter thread only
  LogLimiter warnings_;  // exporter thread only
  std::mt19937_64 rng_;  // backoff jitter; exporter thread only
  std::atomic<uint64_t> exported_{0};
  // Monotonic ms by which shutdown must be done; far future until ~Exporter.
  std::atomic<TimeMs> shutdown_deadline_ms_;

  // Flush bookkeeping and the stop flag; held briefly, never across I/O.
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t flush_requested_ = 0;  // GUARDED_BY(mutex_)
  uint64_t flush_done_ = 0;       // GUARDED_BY(mutex_)
  bool stopping_ = false;         // GUARDED_BY(mutex_)
  std::thread thread_;            // last: starts once everything above exists
};

}  // namespace gantry::trace
