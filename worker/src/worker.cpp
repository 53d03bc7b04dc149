#include "gantry/worker/worker.h"

#include <utility>

#include "worker_loop.h"

namespace gantry::worker {

Worker::Worker(WorkerConfig config, const HandlerRegistry& registry, Clock& clock)
    : loop_(std::make_unique<WorkerLoop>(std::move(config), registry, clock)) {}

Worker::~Worker() = default;

Status Worker::run() { return loop_->run(); }
void Worker::requestStop() { loop_->requestStop(); }
WorkerStats Worker::stats() const { return loop_->stats(); }
void Worker::observeWith(obs::Observability& obs) { loop_->observeWith(obs); }
void Worker::traceWith(trace::Tracer& tracer) { loop_->traceWith(tracer); }
size_t Worker::runningHandlers() const { return loop_->runningHandlers(); }
const std::string& Worker::workerId() const { return loop_->workerId(); }

}  // namespace gantry::worker
