// gantry_handler_duration_seconds{kind, outcome}: how long handlers ran, as
// the worker's I/O thread sees them end. Every series is created up front
// (announced kinds x outcomes), so observe() is a lookup and two relaxed
// atomic adds: no lock, no allocation. Not thread-safe to observe from two
// threads at once in the sense of the lookup table, which is immutable; the
// histograms themselves are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/common/clock.h"
#include "gantry/obs/atomic_histogram.h"

namespace gantry::worker {

class HandlerDurations {
 public:
  // The outcome label values: outcomeName() of each outcome, and timed_out.
  static const std::vector<std::string_view>& outcomes();

  // REQUIRES: kinds sorted (as WorkerLoop announces them).
  explicit HandlerDurations(const std::vector<std::string>& kinds);

  // Unknown kinds or outcomes are ignored.
  void observe(std::string_view kind, std::string_view outcome, TimeMs ran_ms);
  std::shared_ptr<obs::HistogramFamily> family() const { return family_; }

 private:
  std::vector<std::string> kinds_;
  std::shared_ptr<obs::HistogramFamily> family_;
  // [kind index * outcomes().size() + outcome index]
  std::vector<obs::AtomicHistogram*> series_;
};

}  // namespace gantry::worker
