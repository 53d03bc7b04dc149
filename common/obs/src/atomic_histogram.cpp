#include "gantry/obs/atomic_histogram.h"

#include <algorithm>
#include <limits>

namespace gantry::obs {

AtomicHistogram::AtomicHistogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    counts_[i].store(0, std::memory_order_relaxed);
  }
}

void AtomicHistogram::observe(double value) {
  // Few bounds: a linear scan beats a binary search's branches.
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) {
    ++bucket;
  }
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

prometheus::ClientMetric::Histogram AtomicHistogram::read() const {
  prometheus::ClientMetric::Histogram out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    prometheus::ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound = i < bounds_.size() ? bounds_[i] : std::numeric_limits<double>::infinity();
    out.bucket.push_back(bucket);
  }
  out.sample_count = cumulative;
  out.sample_sum = sum_.load(std::memory_order_relaxed);
  return out;
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), bounds_(std::move(bounds)) {}

AtomicHistogram& HistogramFamily::add(const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = index_.try_emplace(labels, series_.size());
  if (inserted) {
    series_.emplace_back(bounds_);
    labels_.push_back(labels);
  }
  return series_[it->second];
}

std::vector<prometheus::MetricFamily> HistogramFamily::Collect() const {
  prometheus::MetricFamily family;
  family.name = name_;
  family.help = help_;
  family.type = prometheus::MetricType::Histogram;
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < series_.size(); ++i) {
    prometheus::ClientMetric metric;
    for (const auto& [key, value] : labels_[i]) {
      metric.label.push_back({key, value});
    }
    metric.histogram = series_[i].read();
    family.metric.push_back(std::move(metric));
  }
  return {std::move(family)};
}

const std::vector<double>& durationBucketsSeconds() {
  static const std::vector<double> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,   0.25,   0.5,   1,    2.5,   5,
                                              10,    30,     60,    300,  900,   3600};
  return kBounds;
}

}  // namespace gantry::obs
