// PgStore: connection, session set-up, schema check and the group commit
// (whose SQL is in batch_writer.cpp). Reads are in pg_store_queries.cpp.
#include "gantry/broker/store/pg_store.h"

#include <pqxx/pqxx>

#include "batch_writer.h"
#include "gantry/pg/migrator.h"
#include "gantry/pg/pg_error.h"
#include "job_columns.h"

namespace gantry::broker {
namespace {

// Every commit is durable before the broker acknowledges it, whatever the
// server's default; the rest makes result decoding and text encoding
// (COPY text and SQL literals) predictable.
constexpr const char* kSessionSetup =
    "SET synchronous_commit = on; SET bytea_output = 'hex'; SET client_encoding = 'UTF8';"
    " SET standard_conforming_strings = on";

}  // namespace

Result<std::unique_ptr<PgStore>> PgStore::connect(const std::string& conninfo) {
  auto connection = pg::openConnection(conninfo);
  if (!connection.isOk()) {
    return connection.status();
  }
  try {
    pqxx::connection& c = *connection.value();
    pqxx::nontransaction(c).exec(kSessionSetup);
    store::prepareStatements(c);
  } catch (const std::exception& e) {
    return pg::statusFromException(e, "setting up the database session");
  }
  return std::unique_ptr<PgStore>(new PgStore(std::move(connection).value()));
}

PgStore::PgStore(std::unique_ptr<pqxx::connection> connection)
    : connection_(std::move(connection)), backend_pid_(connection_->backendpid()) {}

PgStore::~PgStore() = default;

bool PgStore::broken() const { return broken_ || !connection_->is_open(); }

int PgStore::socket() const { return connection_->sock(); }

void PgStore::checkConnection() {
  try {
    connection_->get_notifs();
  } catch (const std::exception& e) {
    (void)fail(e, "reading from the database");
  }
}

Status PgStore::fail(const std::exception& error, const char* context) {
  if (pg::isConnectionLoss(error) || !connection_->is_open()) {
    broken_ = true;
  }
  return pg::statusFromException(error, context);
}

Status PgStore::checkSchema() {
  Status status = pg::checkSchemaVersion(*connection_);
  if (!connection_->is_open()) {
    broken_ = true;
  }
  return status;
}

void PgStore::ensureStaging() {
  if (staging_ready_) {
    return;
  }
  pqxx::nontransaction(*connection_).exec(store::createStageTablesSql());
  staging_ready_ = true;
}

Status PgStore::commit(const WriteBatch& batch) {
  if (batch.empty()) {
    return Status::ok();
  }
  if (Status s = store::checkStates(batch); !s.isOk()) {
    return s;
  }
  try {
    ensureStaging();
    id_high_water_ = store::writeBatch(*connection_, batch, id_high_water_, one_trip_rows_);
  } catch (const std::exception& e) {
    return fail(e, "commit");
  }
  return Status::ok();
}

}  // namespace gantry::broker
