// The broker's spans in a job's trace (docs/observability.md, "Traces"):
//  - enqueue {queue} (SERVER): from a submit's arrival until its jobs are
//    durable, a child of the job's traceparent (the submitter's send span);
//  - dispatch {queue} (INTERNAL): from the attempt being due until it is
//    sent to a worker (its queue wait), with the span id the core put in
//    the Assign, so the worker's process span is its child.
// Only jobs whose traceparent is sampled are recorded: sampling is decided
// where the trace starts. With tracing off each call is one branch.
// Used on the loop's thread only.
#pragma once

#include <vector>

#include "gantry.pb.h"
#include "gantry/common/clock.h"
#include "gantry/trace/span.h"
#include "gantry/trace/tracer.h"

namespace gantry::broker {

class BrokerTracing {
 public:
  // REQUIRES: tracer outlives this.
  explicit BrokerTracing(trace::Tracer& tracer) : tracer_(tracer) {}

  // One enqueue span per sampled job of the request, started now; empty
  // when none is traced. Index i is the request's job i (non-recording
  // spans fill the gaps).
  std::vector<trace::Span> startEnqueue(const wire::SubmitRequest& request);
  // Names the jobs the submit created (or found, for unique-key hits).
  static void accepted(std::vector<trace::Span>& spans, const wire::SubmitReply& reply);
  // The submit was refused: every span ends with the error.
  static void refused(std::vector<trace::Span>& spans, const std::string& error);

  // Records the dispatch span of an assignment with span ids, ending now.
  void dispatched(const wire::Assign& assign, Now now);

 private:
  trace::Tracer& tracer_;
};

}  // namespace gantry::broker
