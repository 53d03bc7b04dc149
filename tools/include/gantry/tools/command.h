// What gantryctl's commands share: the global options, the streams they
// write to, the clock, and the wording of failures. Each command family
// (submit, queries, control, migrate) registers its subcommands on the CLI
// and hands back the function that runs each one once parsing succeeded, so
// usage errors are all found before anything is contacted.
// Thread-compatible: one CommandContext per invocation.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "gantry/common/clock.h"
#include "gantry/common/status.h"
#include "gantry/net/broker_client.h"
#include "gantry/tools/exit_code.h"
#include "gantry/tools/integer_rule.h"
#include "gantry/trace/tracer.h"

namespace CLI {
class App;
class Validator;
}  // namespace CLI

namespace gantry::tools {

struct GlobalOptions {
  std::string broker_endpoint = kDefaultClientEndpoint;
  // How long to wait for each reply from the broker.
  std::chrono::milliseconds timeout{5000};
  bool json = false;
  // Records the client's spans (OTEL_* environment); null: none. Not owned.
  trace::Tracer* tracer = nullptr;
};

class CommandContext {
 public:
  // REQUIRES: the streams and the clock outlive the context.
  CommandContext(GlobalOptions global, std::istream& in, std::ostream& out, std::ostream& err,
                 const Clock& clock);

  const GlobalOptions& global() const { return global_; }
  bool json() const { return global_.json; }
  std::istream& in() { return in_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  TimeMs now() const { return clock_.wallMs(); }

  // A client for --broker with --timeout as its request timeout.
  Result<BrokerClient> connectBroker() const;

  // Prints "gantryctl <command>: <message>" on stderr and returns the exit
  // code: kUsage for usageError, exitCodeFor(status) for fail.
  int usageError(std::string_view command, std::string_view message);
  int fail(std::string_view command, const Status& status, Peer peer = Peer::kBroker);
  // Writes `document` as the one JSON document on stdout.
  void printJson(const nlohmann::json& document);

 private:
  GlobalOptions global_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  const Clock& clock_;
};

// Runs a parsed subcommand; returns the process exit code.
using CommandRunner = std::function<int(CommandContext&)>;
// Reports a usage error in a subcommand, found by the parser or by the
// runner; returns the process exit code (kUsage).
using UsageErrorReporter = std::function<int(CommandContext&, std::string_view message)>;

struct Command {
  CLI::App* app;  // owned by the root App
  CommandRunner run;
  // How the parser's errors in this subcommand are reported. Empty means
  // CommandContext::usageError; submit sets its own because its --json
  // document is printed even for a usage error.
  UsageErrorReporter report_usage_error = nullptr;
};
using CommandList = std::vector<Command>;

// Registration, one per command family; each adds its subcommands to `app`
// and their runners to `commands`.
void addSubmitCommand(CLI::App& app, CommandList& commands);
void addQueryCommands(CLI::App& app, CommandList& commands);    // get, list, stats, workers
void addControlCommands(CLI::App& app, CommandList& commands);  // cancel, retry, pause, resume
void addMigrateCommand(CLI::App& app, CommandList& commands);   // migrate up|down|status

// A CLI11 validator for DURATION options, so that "--delay 5x" is a usage
// error reported by the parser with the accepted forms.
std::string checkDuration(const std::string& text);

// A CLI11 validator for an integer option or argument, so that "--after -1"
// is a usage error reported by the parser in the rule's words (CLI11's own
// would quote the range of the C++ type, or wrap -1 around to 2^64 - 1).
// Add it with ->transform(), not ->check(): it also rewrites the value in
// plain decimal, because CLI11 converts with base 0 ("010" is octal 8).
CLI::Validator checkInteger(IntegerRule rule);

}  // namespace gantry::tools
