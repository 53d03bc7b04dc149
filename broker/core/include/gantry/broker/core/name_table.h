// Interns queue and kind names to small integers, so a job stores two
// integers instead of two strings and lanes are found by integer keys.
// Names are never forgotten: there are few queues and kinds, and accepted
// names are validated (job_spec.h). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace gantry::broker {

class NameTable {
 public:
  uint32_t intern(const std::string& name) {
    auto [it, inserted] = ids_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (inserted) {
      names_.push_back(name);
    }
    return it->second;
  }
  // The id of a name already interned, without interning it.
  std::optional<uint32_t> find(const std::string& name) const {
    auto it = ids_.find(name);
    return it == ids_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }
  // REQUIRES: id was returned by intern().
  const std::string& name(uint32_t id) const { return names_[id]; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> ids_;
};

}  // namespace gantry::broker
