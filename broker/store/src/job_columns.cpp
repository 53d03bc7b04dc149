#include "job_columns.h"

#include <pqxx/pqxx>
#include <stdexcept>
#include <vector>

#include "bytea_hex.h"
#include "copy_reader.h"
#include "gantry/common/job_state.h"

namespace gantry::broker::store {
namespace {

// What a visitor learns of each column: its name and how it is stored.
enum class Storage { kText, kBytes, kInteger };

struct Column {
  std::string name;
  Storage storage = Storage::kText;
  bool fixed = false;  // id and the fixed part; otherwise status
};

// Collects the columns a visitor lists.
struct ColumnCollector {
  std::vector<Column>& out;
  bool fixed = false;
  void operator()(const char* name, const std::string&) { add(name, Storage::kText); }
  void operator()(const char* name, const std::string&, AsBytes) { add(name, Storage::kBytes); }
  void operator()(const char* name, wire::JobState) { add(name, Storage::kText); }
  void operator()(const char* name, wire::Outcome) { add(name, Storage::kText); }
  template <class Integer>
  void operator()(const char* name, Integer) {
    add(name, Storage::kInteger);
  }
  void add(const char* name, Storage storage) { out.push_back({name, storage, fixed}); }
};

const std::vector<Column>& jobColumnList() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> out;
    JobRow row;
    ColumnCollector fixed{out, true};
    fixed("id", row.id);
    visitFixed(row.fixed, fixed);
    visitStatus(row.status, ColumnCollector{out, false});
    return out;
  }();
  return columns;
}

const std::vector<Column>& transitionColumnList() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> out;
    JobTransition t;
    visitTransition(t, ColumnCollector{out, false});
    return out;
  }();
  return columns;
}

const std::vector<Column>& attemptColumnList() {
  static const std::vector<Column> columns = [] {
    std::vector<Column> out;
    AttemptRow a;
    visitAttempt(a, ColumnCollector{out, false});
    return out;
  }();
  return columns;
}

template <class Name>
std::string joined(const std::vector<Column>& columns, Name name) {
  std::string out;
  for (const Column& column : columns) {
    out += (out.empty() ? "" : ", ") + name(column);
  }
  return out;
}

std::string stateList(bool final) {
  std::string out;
  for (const wire::JobState state : kJobStates) {
    if (isFinalState(state) == final) {
      out += (out.empty() ? "'" : ", '") + std::string(jobStateName(state)) + "'";
    }
  }
  return out;
}

const char* sqlType(Storage storage) {
  switch (storage) {
    case Storage::kText:
      return "text";
    case Storage::kBytes:
      return "bytea";
    case Storage::kInteger:
      return "bigint";
  }
  return "text";
}

// Writes one row's values.
template <class Rows>
struct Encoder {
  Rows& out;
  const JobStatus* status = nullptr;  // of the row being written, if a job

  void operator()(const char*, const std::string& value) { out.text(value); }
  void operator()(const char*, const std::string& value, AsBytes) { out.bytes(value); }
  void operator()(const char*, wire::JobState state) { out.text(jobStateName(state)); }
  void operator()(const char*, wire::Outcome outcome) { out.text(outcomeName(outcome)); }
  void operator()(const char*, uint64_t value) { out.integer(toSql(value)); }
  void operator()(const char*, const int64_t& value) {
    if (status != nullptr && &value == &status->finished_at_ms && value == 0 &&
        isFinalState(status->state)) {
      out.integer(status->updated_at_ms);
      return;
    }
    out.integer(value);
  }
  void operator()(const char*, int32_t value) { out.integer(value); }
  void operator()(const char*, uint32_t value) { out.integer(value); }
};

// Reads one row's values, column after column.
struct Decoder {
  const pqxx::row& row;
  int column = 0;

  std::string_view next() {
    const pqxx::field field = row[column++];
    return {field.c_str(), field.size()};
  }
  int64_t nextInteger() { return row[column++].as<int64_t>(); }

  void operator()(const char*, std::string& value) { value = std::string(next()); }
  void operator()(const char*, std::string& value, AsBytes) { value = decodeByteaHex(next()); }
  void operator()(const char*, wire::JobState& state) {
    state = parseJobState(next()).value_or(wire::JOB_STATE_UNSPECIFIED);
  }
  void operator()(const char*, wire::Outcome& outcome) {
    outcome = parseOutcome(next()).value_or(wire::OUTCOME_UNSPECIFIED);
  }
  void operator()(const char*, uint64_t& value) { value = fromSql(nextInteger()); }
  void operator()(const char*, int64_t& value) { value = nextInteger(); }
  void operator()(const char*, int32_t& value) { value = static_cast<int32_t>(nextInteger()); }
  void operator()(const char*, uint32_t& value) { value = static_cast<uint32_t>(nextInteger()); }
};

// Reads one COPY text row's fields, in order.
struct CopyDecoder {
  CopyFields& fields;
  std::string scratch;

  void operator()(const char*, std::string& value) { value.assign(fields.next(scratch)); }
  void operator()(const char*, std::string& value, AsBytes) {
    value = decodeByteaHex(fields.next(scratch));
  }
  void operator()(const char*, wire::JobState& state) {
    state = parseJobState(fields.next(scratch)).value_or(wire::JOB_STATE_UNSPECIFIED);
  }
  void operator()(const char*, wire::Outcome& outcome) {
    outcome = parseOutcome(fields.next(scratch)).value_or(wire::OUTCOME_UNSPECIFIED);
  }
  void operator()(const char*, uint64_t& value) { value = fromSql(fields.nextInteger()); }
  void operator()(const char*, int64_t& value) { value = fields.nextInteger(); }
  void operator()(const char*, int32_t& value) {
    value = static_cast<int32_t>(fields.nextInteger());
  }
  void operator()(const char*, uint32_t& value) {
    value = static_cast<uint32_t>(fields.nextInteger());
  }
};

}  // namespace

const std::string& jobColumns() {
  static const std::string list = joined(jobColumnList(), [](const Column& c) { return c.name; });
  return list;
}

const std::string& jobColumnsWithoutBlobs() {
  static const std::string list = joined(jobColumnList(), [](const Column& c) {
    return c.storage == Storage::kBytes ? std::string("'\\x'::bytea") : c.name;
  });
  return list;
}

const std::string& transitionColumns() {
  static const std::string list =
      joined(transitionColumnList(), [](const Column& c) { return c.name; });
  return list;
}

const std::string& attemptColumns() {
  static const std::string list =
      joined(attemptColumnList(), [](const Column& c) { return c.name; });
  return list;
}

std::string jobSelectList(std::string_view fixed_from, std::string_view status_from,
                          const std::map<std::string, std::string>& overrides) {
  size_t used = 0;
  std::string list = joined(jobColumnList(), [&](const Column& c) {
    if (auto it = overrides.find(c.name); it != overrides.end()) {
      ++used;
      return it->second;
    }
    return std::string(c.fixed ? fixed_from : status_from) + "." + c.name;
  });
  if (used != overrides.size()) {
    throw std::logic_error("jobSelectList: an override names no job column");
  }
  return list;
}

std::string statusAssignments(std::string_view from) {
  std::string out;
  for (const Column& column : transitionColumnList()) {
    if (column.name != "id") {
      out +=
          (out.empty() ? "" : ", ") + column.name + " = " + std::string(from) + "." + column.name;
    }
  }
  return out;
}

const std::string& activeStateList() {
  static const std::string list = stateList(false);
  return list;
}

const std::string& finalStateList() {
  static const std::string list = stateList(true);
  return list;
}

const std::string& createStageTablesSql() {
  // Temporary, so each connection has its own and nothing is WAL-logged;
  // emptied at every commit, so a failed batch leaves nothing behind. No
  // CHECK constraints: the job stage holds active and final rows alike.
  static const std::string sql = [] {
    std::string columns;
    for (const Column& column : transitionColumnList()) {
      columns +=
          (columns.empty() ? "" : ", ") + column.name + " " + sqlType(column.storage) + " NOT NULL";
    }
    return std::string("CREATE TEMP TABLE IF NOT EXISTS ") + kStageTransitions + " (" + columns +
           ") ON COMMIT DELETE ROWS;"
           "CREATE TEMP TABLE IF NOT EXISTS " +
           kStageJobs +
           " (LIKE gantry_jobs INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;"
           "CREATE TEMP TABLE IF NOT EXISTS " +
           kStageAttempts + " (LIKE gantry_job_attempts INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
  }();
  return sql;
}

std::string insertJobsStatement(size_t rows) {
  return "gantry_insert_jobs_" + std::to_string(rows);
}

void prepareStatements(pqxx::connection& connection) {
  const size_t column_count = jobColumnList().size();
  std::string values;
  size_t parameter = 0;
  for (size_t rows = 1; rows <= kMaxPreparedInsertRows; ++rows) {
    values += rows == 1 ? "(" : ",(";
    for (size_t column = 0; column < column_count; ++column) {
      values += (column == 0 ? "$" : ",$") + std::to_string(++parameter);
    }
    values += ")";
    connection.prepare(insertJobsStatement(rows),
                       "INSERT INTO gantry_jobs (" + jobColumns() + ") VALUES " + values);
  }
  connection.prepare(kGetJobStatement, "SELECT " + jobColumns() +
                                           " FROM gantry_jobs WHERE id = $1 UNION ALL SELECT " +
                                           jobColumns() +
                                           " FROM gantry_job_history WHERE id = $1 LIMIT 1");
  connection.prepare(kGetAttemptsStatement, "SELECT " + attemptColumns() +
                                                " FROM gantry_job_attempts WHERE job_id = $1"
                                                " ORDER BY started_at_ms, attempt, finished_at_ms");
}

template <class Rows>
void encodeJob(const JobRow& job, Rows& out) {
  visitJob(job, Encoder<Rows>{out, &job.status});
  out.endRow();
}

template <class Rows>
void encodeTransition(const JobTransition& t, Rows& out) {
  visitTransition(t, Encoder<Rows>{out, &t.status});
  out.endRow();
}

template <class Rows>
void encodeAttempt(const AttemptRow& a, Rows& out) {
  visitAttempt(a, Encoder<Rows>{out});
  out.endRow();
}

template void encodeJob(const JobRow&, CopyRows&);
template void encodeJob(const JobRow&, SqlRows&);
template void encodeJob(const JobRow&, ParamRows&);
template void encodeTransition(const JobTransition&, CopyRows&);
template void encodeTransition(const JobTransition&, SqlRows&);
template void encodeAttempt(const AttemptRow&, CopyRows&);
template void encodeAttempt(const AttemptRow&, SqlRows&);

JobRow decodeJob(const pqxx::row& row, int first) {
  JobRow job;
  visitJob(job, Decoder{row, first});
  return job;
}

void decodeJobCopy(std::string_view line, JobRow& job) {
  CopyFields fields(line);
  visitJob(job, CopyDecoder{fields, {}});
  if (!fields.done()) {
    throw std::invalid_argument("COPY row has more fields than a job");
  }
}

AttemptRow decodeAttempt(const pqxx::row& row) {
  AttemptRow attempt;
  visitAttempt(attempt, Decoder{row, 0});
  return attempt;
}

}  // namespace gantry::broker::store
