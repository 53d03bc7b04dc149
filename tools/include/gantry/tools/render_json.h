// Machine output of gantryctl (--json). Field names follow the protocol;
// states and outcomes are names ("queued"), times are unix ms with null for
// "not set", and byte fields (payload, result) are UTF-8 strings when they
// are valid UTF-8 and base64 otherwise, with "<field>_base64": true.
// Pure functions, thread-safe.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "gantry.pb.h"

namespace gantry::tools {

// include_bodies: payload and result are included (list replies omit them).
nlohmann::json jobToJson(const wire::Job& job, bool include_bodies);
nlohmann::json getReplyToJson(const wire::GetReply& reply);
nlohmann::json listReplyToJson(const wire::ListReply& reply);
nlohmann::json statsToJson(const wire::StatsReply& reply);
nlohmann::json workersToJson(const wire::WorkersReply& reply);
nlohmann::json idOutcomesToJson(const wire::IdOutcomesReply& reply);

// Pretty-printed with a trailing newline; invalid UTF-8 in strings (which
// the protocol should never carry) is replaced rather than thrown on.
std::string dumpJson(const nlohmann::json& document);

}  // namespace gantry::tools
