#include "gantry/broker/store/reader.h"

#include <poll.h>

#include "gantry/broker/core/row_wire.h"
#include "gantry/common/codec.h"
#include "gantry/common/job_state.h"

namespace gantry::broker {

Reader::Reader(std::string conninfo) : conninfo_(std::move(conninfo)) {}

Reader::~Reader() {
  stopping_ = true;
  stop_.signal();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void Reader::start() {
  thread_ = std::thread([this] { run(); });
}

void Reader::run() {
  while (!stopping_) {
    pollfd fds[2] = {{requests_.fd(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}};
    ::poll(fds, 2, -1);
    for (ReadRequest& request : requests_.drain()) {
      replies_.push({std::move(request.routing_id), answer(request.request)});
    }
  }
}

wire::Envelope Reader::answer(const wire::Envelope& request) {
  if (store_ == nullptr || store_->broken()) {
    auto connected = PgStore::connect(conninfo_);
    if (!connected.isOk()) {
      return makeErrorEnvelope(wire::UNAVAILABLE, connected.status().message(),
                               request.correlation_id());
    }
    store_ = std::move(connected.value());
  }
  if (request.has_get()) {
    return answerGet(request.get(), request.correlation_id());
  }
  if (request.has_id_outcomes()) {
    return completeCancel(request);
  }
  return answerList(request.list(), request.correlation_id());
}

wire::Envelope Reader::completeCancel(wire::Envelope reply) {
  std::vector<uint64_t> ids;
  for (const auto& outcome : reply.id_outcomes().outcomes()) {
    if (outcome.code() == wire::NOT_FOUND) {
      ids.push_back(outcome.id());
    }
  }
  auto states = store_->finalStates(ids);
  if (!states.isOk()) {
    return reply;  // as the broker saw it: not found among its live jobs
  }
  for (auto& outcome : *reply.mutable_id_outcomes()->mutable_outcomes()) {
    auto it = states->find(outcome.id());
    if (outcome.code() == wire::NOT_FOUND && it != states->end()) {
      outcome.set_code(wire::FAILED_PRECONDITION);
      outcome.set_message("job " + std::to_string(outcome.id()) + " is " +
                          std::string(jobStateName(it->second)) +
                          "; only jobs that are not final can be cancelled");
    }
  }
  return reply;
}

wire::Envelope Reader::answerGet(const wire::GetRequest& get, uint64_t correlation_id) {
  auto found = store_->getJob(get.id(), get.with_attempts());
  if (!found.isOk()) {
    return makeErrorEnvelope(toWireError(found.status().code()), found.status().message(),
                             correlation_id);
  }
  if (!found->has_value()) {
    return makeErrorEnvelope(wire::NOT_FOUND, "job " + std::to_string(get.id()) + " does not exist",
                             correlation_id);
  }
  wire::Envelope reply;
  reply.set_correlation_id(correlation_id);
  auto* out = reply.mutable_get_reply();
  *out->mutable_job() = rowToWire((*found)->job);
  for (const auto& attempt : (*found)->attempts) {
    *out->add_attempts() = attemptToWire(attempt);
  }
  return reply;
}

wire::Envelope Reader::answerList(const wire::ListRequest& list, uint64_t correlation_id) {
  ListFilter filter;
  filter.queue = list.queue();
  filter.kind = list.kind();
  if (list.state() != wire::JOB_STATE_UNSPECIFIED) {
    filter.state = list.state();
  }
  filter.limit = list.limit();
  filter.after_id = list.after_id();
  auto rows = store_->listJobs(filter);
  if (!rows.isOk()) {
    return makeErrorEnvelope(toWireError(rows.status().code()), rows.status().message(),
                             correlation_id);
  }
  wire::Envelope reply;
  reply.set_correlation_id(correlation_id);
  auto* out = reply.mutable_list_reply();
  for (const auto& row : rows.value()) {
    *out->add_jobs() = rowToWire(row);
  }
  if (rows->size() == filter.effectiveLimit() && !rows->empty()) {
    out->set_next_after_id(rows->back().id);
  }
  return reply;
}

}  // namespace gantry::broker
