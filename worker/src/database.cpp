#include "gantry/worker/database.h"

#include <algorithm>
#include <exception>
#include <pqxx/connection>
#include <pqxx/except>
#include <string>
#include <type_traits>
#include <utility>

#include "gantry/pg/pg_error.h"

namespace gantry::worker {
namespace {

// How one transaction on one connection ended.
struct TryOutcome {
  Status status;
  // The connection was lost before the commit was sent: nothing was
  // committed and the function may run again on another connection.
  bool retry_on_fresh_connection = false;
};

// The adapter's mapping (pg_error.h), with the one distinction handlers need
// beyond it: values the server refuses are the payload's fault, not a bug.
Status statusOf(const std::exception& error, const std::string& context) {
  Status status = pg::statusFromException(error, context);
  if (status.code() == StatusCode::kInternal && pg::isDataError(error)) {
    return invalidArgument(status.message());
  }
  return status;
}

template <typename Transaction>
TryOutcome runOnce(pg::ConnectionPool::Lease& lease, const std::string& context, int64_t timeout_ms,
                   const std::function<void(Transaction&)>& fn) {
  constexpr bool kWrites = std::is_same_v<Transaction, pqxx::work>;
  pqxx::connection& connection = lease.connection();
  bool committing = false;
  try {
    Transaction tx(connection);
    if (timeout_ms > 0) {
      // SET LOCAL ends with the transaction, so the pooled connection keeps
      // its default for the next user.
      tx.exec("SET LOCAL statement_timeout = " + std::to_string(timeout_ms));
    }
    fn(tx);
    committing = true;
    tx.commit();
    return {Status::ok()};
  } catch (const std::exception& e) {
    // libpq only learns that a connection is gone when it uses it, and not
    // every such failure is a broken_connection (a terminated backend
    // first reports its FATAL error); is_open() says what is left.
    const bool lost = pg::isConnectionLoss(e) || !connection.is_open();
    if (!lost) {
      return {statusOf(e, context)};
    }
    lease.markBroken();
    if (committing && kWrites) {
      // pqxx reports this as in_doubt_error; the check above also covers a
      // loss it reported otherwise.
      if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
        return {statusOf(e, context)};
      }
      return {unavailable(context +
                          ": lost the database connection during the commit; the "
                          "outcome is unknown: " +
                          pg::statusFromException(e, "commit").message())};
    }
    return {pg::statusFromException(e, context), true};
  } catch (...) {
    // Not ours to judge; the transaction's destructor rolled it back.
    return {{StatusCode::kInternal, context + ": the function threw a non-standard exception"}};
  }
}

}  // namespace

Database::Database(pg::PoolOptions options, const Clock& clock)
    : pool_(std::move(options)), clock_(clock) {}

Status Database::write(JobContext& ctx, std::string_view operation,
                       const std::function<void(pqxx::work&)>& fn) {
  return run(ctx, operation, fn);
}

Status Database::read(JobContext& ctx, std::string_view operation,
                      const std::function<void(pqxx::read_transaction&)>& fn) {
  return run(ctx, operation, fn);
}

pg::ConnectionPool::Deadline Database::waitDeadline(const JobContext& ctx) const {
  if (ctx.deadlineMs() == 0) {
    return pg::ConnectionPool::Deadline::max();
  }
  const TimeMs left = ctx.deadlineMs() - clock_.wallMs();
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max<TimeMs>(left, 0));
}

template <typename Transaction>
Status Database::run(JobContext& ctx, std::string_view operation,
                     const std::function<void(Transaction&)>& fn) {
  const std::string context = "db " + std::string(operation);
  trace::Span span = ctx.startSpan(context, trace::SpanKind::kClient);
  span.setAttribute("db.system.name", std::string("postgresql"));
  span.setAttribute("db.operation.name", std::string(operation));

  const auto fail = [&](Status status) {
    span.setError(status.message());
    return status;
  };
  const pg::ConnectionPool::Deadline deadline = waitDeadline(ctx);
  Status status;
  // A second run only after a connection loss before the commit.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (ctx.isCancelled()) {
      return fail(unavailable(context + ": the attempt was cancelled"));
    }
    Result<pg::ConnectionPool::Lease> lease =
        pool_.acquire(deadline, [&ctx] { return ctx.isCancelled(); });
    if (!lease.isOk()) {
      return fail(Status(lease.status().code(), context + ": " + lease.status().message()));
    }
    int64_t timeout_ms = 0;
    if (ctx.deadlineMs() != 0) {
      // At least 1: 0 would mean no timeout.
      timeout_ms = std::max<int64_t>(ctx.deadlineMs() - clock_.wallMs(), 1);
    }
    TryOutcome outcome = runOnce(lease.value(), context, timeout_ms, fn);
    if (outcome.status.isOk()) {
      return outcome.status;
    }
    status = std::move(outcome.status);
    if (!outcome.retry_on_fresh_connection) {
      break;
    }
    span.setAttribute("db.retried_after_connection_loss", true);
  }
  return fail(std::move(status));
}

}  // namespace gantry::worker
