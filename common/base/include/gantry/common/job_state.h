// The job state and attempt outcome vocabulary: one name per value, used by
// the store (the text in its state and outcome columns), gantryctl (what
// operators read and type) and logs alike.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "gantry.pb.h"

namespace gantry {

// Every state a job can be in, not-final ones first.
inline constexpr std::array<wire::JobState, 6> kJobStates = {
    wire::QUEUED, wire::RUNNING, wire::FAILED, wire::SUCCEEDED, wire::DEAD, wire::CANCELLED};
inline constexpr std::array<wire::Outcome, 5> kOutcomes = {
    wire::OUTCOME_SUCCEEDED, wire::OUTCOME_RETRYABLE, wire::OUTCOME_FATAL, wire::OUTCOME_CANCELLED,
    wire::OUTCOME_HANDED_BACK};

// "queued", "running", ...; "unspecified" for JOB_STATE_UNSPECIFIED and
// values outside the enum.
std::string_view jobStateName(wire::JobState state);
// The inverse of jobStateName for the six real states; nullopt otherwise.
std::optional<wire::JobState> parseJobState(std::string_view name);
bool isFinalState(wire::JobState state);

// "succeeded", "retryable", "fatal", "cancelled", "handed_back";
// "unspecified" otherwise.
std::string_view outcomeName(wire::Outcome outcome);
// The inverse of outcomeName for the five real outcomes; nullopt otherwise.
std::optional<wire::Outcome> parseOutcome(std::string_view name);

}  // namespace gantry
