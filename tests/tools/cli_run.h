// Runs gantryctl's command line in-process, as the cli tests do.
#pragma once

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "gantry.pb.h"
#include "gantry/tools/cli.h"

namespace gantry::testing {

constexpr TimeMs kNow = 1'700'000'000'000;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliRun run(std::vector<std::string> args, const std::string& stdin_text = "") {
  args.insert(args.begin(), "gantryctl");
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  test::FakeClock clock(kNow);
  CliRun result;
  result.code = tools::runCli(args, in, out, err, clock);
  result.out = out.str();
  result.err = err.str();
  return result;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline size_t countLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

inline wire::Envelope submitReply(uint64_t first_id, int count) {
  wire::Envelope reply;
  for (int i = 0; i < count; ++i) {
    reply.mutable_submit_reply()->add_ids(first_id + i);
    reply.mutable_submit_reply()->add_duplicate(false);
  }
  return reply;
}

}  // namespace gantry::testing
