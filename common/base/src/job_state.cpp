#include "gantry/common/job_state.h"

namespace gantry {

std::string_view jobStateName(wire::JobState state) {
  switch (state) {
    case wire::QUEUED:
      return "queued";
    case wire::RUNNING:
      return "running";
    case wire::FAILED:
      return "failed";
    case wire::SUCCEEDED:
      return "succeeded";
    case wire::DEAD:
      return "dead";
    case wire::CANCELLED:
      return "cancelled";
    default:
      return "unspecified";
  }
}

std::optional<wire::JobState> parseJobState(std::string_view name) {
  for (const wire::JobState state : kJobStates) {
    if (name == jobStateName(state)) {
      return state;
    }
  }
  return std::nullopt;
}

bool isFinalState(wire::JobState state) {
  return state == wire::SUCCEEDED || state == wire::DEAD || state == wire::CANCELLED;
}

std::string_view outcomeName(wire::Outcome outcome) {
  switch (outcome) {
    case wire::OUTCOME_SUCCEEDED:
      return "succeeded";
    case wire::OUTCOME_RETRYABLE:
      return "retryable";
    case wire::OUTCOME_FATAL:
      return "fatal";
    case wire::OUTCOME_CANCELLED:
      return "cancelled";
    case wire::OUTCOME_HANDED_BACK:
      return "handed_back";
    default:
      return "unspecified";
  }
}

std::optional<wire::Outcome> parseOutcome(std::string_view name) {
  for (const wire::Outcome outcome : kOutcomes) {
    if (name == outcomeName(outcome)) {
      return outcome;
    }
  }
  return std::nullopt;
}

}  // namespace gantry
