#include "handler_durations.h"

#include <algorithm>

namespace gantry::worker {

const std::vector<std::string_view>& HandlerDurations::outcomes() {
  static const std::vector<std::string_view> kOutcomes = {"succeeded", "retryable",   "fatal",
                                                          "cancelled", "handed_back", "timed_out"};
  return kOutcomes;
}

HandlerDurations::HandlerDurations(const std::vector<std::string>& kinds)
    : kinds_(kinds),
      family_(std::make_shared<obs::HistogramFamily>(
          "gantry_handler_duration_seconds",
          "How long handlers ran, by kind and outcome (timed_out: the deadline ended it)",
          obs::durationBucketsSeconds())) {
  for (const std::string& kind : kinds_) {
    for (std::string_view outcome : outcomes()) {
      series_.push_back(&family_->add({{"kind", kind}, {"outcome", std::string(outcome)}}));
    }
  }
}

void HandlerDurations::observe(std::string_view kind, std::string_view outcome, TimeMs ran_ms) {
  const auto k = std::lower_bound(kinds_.begin(), kinds_.end(), kind);
  const auto& names = outcomes();
  const auto o = std::find(names.begin(), names.end(), outcome);
  if (k == kinds_.end() || *k != kind || o == names.end()) {
    return;
  }
  const size_t index = static_cast<size_t>(k - kinds_.begin()) * names.size() +
                       static_cast<size_t>(o - names.begin());
  series_[index]->observe(static_cast<double>(std::max<TimeMs>(0, ran_ms)) / 1000.0);
}

}  // namespace gantry::worker
