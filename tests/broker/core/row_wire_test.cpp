// Every field of the job record reaches the wire form under its own name,
// so a field added to the record cannot be forgotten in rowToWire: the
// record's visitors list the fields, protobuf's reflection finds them.
#include "gantry/broker/core/row_wire.h"

#include <gtest/gtest.h>

#include <set>

#include "core_harness.h"

namespace gantry::broker {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Broker-internal: the lease is the attempt's capability, not shown; the
// attempt's job is its parent message.
const std::set<std::string> kNotOnTheWire = {"lease", "job_id"};
// Stored as JSON text, on the wire as a repeated message: checked on its own.
const std::set<std::string> kStructured = {"degraded"};

// Gives every field a value of its own and remembers it as text.
struct Distinct {
  std::map<std::string, std::string>& values;
  int seed = 0;
  void operator()(const char* name, std::string& v) { v = values[name] = name + std::string("!"); }
  void operator()(const char* name, std::string& v, AsBytes) { (*this)(name, v); }
  void operator()(const char* name, wire::JobState& v) {
    v = wire::DEAD;
    values[name] = std::to_string(v);
  }
  void operator()(const char* name, wire::Outcome& v) {
    v = wire::OUTCOME_FATAL;
    values[name] = std::to_string(v);
  }
  template <class Integer>
  void operator()(const char* name, Integer& v) {
    v = static_cast<Integer>(++seed) * 7;
    values[name] = std::to_string(v);
  }
};

// The value of the field called `name` in `message` or its `spec`, as text.
std::optional<std::string> wireValue(const Message& message, const std::string& name) {
  const auto* reflection = message.GetReflection();
  if (const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name)) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return reflection->GetString(message, field);
      case FieldDescriptor::CPPTYPE_ENUM:
        return std::to_string(reflection->GetEnumValue(message, field));
      case FieldDescriptor::CPPTYPE_INT32:
        return std::to_string(reflection->GetInt32(message, field));
      case FieldDescriptor::CPPTYPE_UINT32:
        return std::to_string(reflection->GetUInt32(message, field));
      case FieldDescriptor::CPPTYPE_INT64:
        return std::to_string(reflection->GetInt64(message, field));
      case FieldDescriptor::CPPTYPE_UINT64:
        return std::to_string(reflection->GetUInt64(message, field));
      default:
        return std::nullopt;
    }
  }
  if (const FieldDescriptor* spec = message.GetDescriptor()->FindFieldByName("spec")) {
    return wireValue(reflection->GetMessage(message, spec), name);
  }
  return std::nullopt;
}

TEST(RowWire, EveryJobFieldReachesTheWireUnderItsName) {
  std::map<std::string, std::string> values;
  JobRow row;
  visitJob(row, Distinct{values});
  const wire::Job job = rowToWire(row);
  for (const auto& [name, value] : values) {
    if (kNotOnTheWire.count(name) != 0 || kStructured.count(name) != 0) {
      continue;
    }
    EXPECT_EQ(wireValue(job, name), std::optional<std::string>(value)) << name;
  }
}

TEST(RowWire, StoredDegradationsReachTheWireAndUnreadableOnesSaySo) {
  JobRow row;
  row.status.degraded = R"([{"reason":"summarizer down","what":"summary of meeting 7"}])";
  const wire::Job job = rowToWire(row);
  ASSERT_EQ(job.degraded_size(), 1);
  EXPECT_EQ(job.degraded(0).what(), "summary of meeting 7");
  EXPECT_EQ(job.degraded(0).reason(), "summarizer down");
  EXPECT_EQ(degradedToJson(job.degraded()), row.status.degraded);

  row.status.degraded = "not json";
  const wire::Job unreadable = rowToWire(row);
  ASSERT_EQ(unreadable.degraded_size(), 1);
  EXPECT_EQ(unreadable.degraded(0).what(), "(unreadable)");
}

TEST(RowWire, EveryAttemptFieldReachesTheWireUnderItsName) {
  std::map<std::string, std::string> values;
  AttemptRow row;
  visitAttempt(row, Distinct{values});
  const wire::Attempt attempt = attemptToWire(row);
  for (const auto& [name, value] : values) {
    if (kNotOnTheWire.count(name) != 0) {
      continue;
    }
    EXPECT_EQ(wireValue(attempt, name), std::optional<std::string>(value)) << name;
  }
}

// The live job keeps what the record holds: a row restored into the core
// comes back unchanged, so no field is lost between the store and the
// broker's memory (LiveJob keeps names interned and rare fields apart).
TEST(RowWire, ARestoredJobShowsEveryFieldItWasStoredWith) {
  std::map<std::string, std::string> values;
  JobRow row;
  visitJob(row, Distinct{values});
  row.status.state = wire::QUEUED;
  row.status.finished_at_ms = 0;  // not final: neither finished nor a result
  row.status.result.clear();
  row.status.lease = 0;         // no attempt runs
  row.status.degraded.clear();  // only a succeeded job is partial
  row.fixed.priority = 7;
  testing::CoreHarness h;
  h.restore({row}, row.id);
  const auto live = h.core().findActive(row.id);
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->SerializeAsString(), rowToWire(row).SerializeAsString())
      << live->DebugString() << "\n"
      << rowToWire(row).DebugString();
}

}  // namespace
}  // namespace gantry::broker
