// Histograms that a hot single-threaded loop can observe into without a lock
// or an allocation, and that a scrape on another thread reads at any time.
// prometheus-cpp's own Histogram takes a mutex on every Observe; these use
// relaxed atomics instead, so a scrape sees each bucket exactly but the
// buckets of one histogram may be a few observations apart (Prometheus
// tolerates that: it never assumes a consistent snapshot across series).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace gantry::obs {

// One labelled series. observe() is wait-free; thread-safe.
class AtomicHistogram {
 public:
  // REQUIRES: bounds sorted ascending and outliving the histogram.
  explicit AtomicHistogram(const std::vector<double>& bounds);

  void observe(double value);
  // The cumulative form Prometheus wants: bucket i counts values <= bounds[i].
  prometheus::ClientMetric::Histogram read() const;

 private:
  const std::vector<double>& bounds_;
  // One counter per bound plus the +Inf bucket; not cumulative here, so an
  // observation touches one counter.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0.0};
};

// A histogram metric with its labelled series; register it with a
// prometheus::Registry (Registry::Register) to have it scraped.
// add() allocates and locks: call it when a label value first appears, keep
// the reference, and observe through it. Thread-safe.
class HistogramFamily : public prometheus::Collectable {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<double> bounds);

  // The series for `labels`, created on first use; stable for the family's life.
  AtomicHistogram& add(const std::map<std::string, std::string>& labels);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::map<std::string, std::string>, size_t> index_;  // GUARDED_BY(mutex_)
  std::deque<AtomicHistogram> series_;                          // GUARDED_BY(mutex_)
  std::deque<std::map<std::string, std::string>> labels_;       // GUARDED_BY(mutex_)
};

// Bucket bounds in seconds for waits and run times: 1 ms to 1 hour.
const std::vector<double>& durationBucketsSeconds();

}  // namespace gantry::obs
