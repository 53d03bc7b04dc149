#include "gantry/tools/cli.h"

#include <cctype>
#include <istream>
#include <ostream>

#include <CLI/CLI.hpp>

#include "gantry/common/secret_mask.h"
#include "gantry/tools/command.h"
#include "gantry/tools/exit_code.h"
#include "gantry/tools/time_text.h"
#include "gantry/trace/tracer.h"

namespace gantry::tools {
namespace {

constexpr const char* kEnvironmentHelp =
    "Environment:\n"
    "  GANTRY_CLIENT_ENDPOINT  broker endpoint when --broker is absent\n"
    "  DATABASE_URL            Postgres connection for migrate when --database-url is absent\n"
    "  DATABASE_URL_FILE       file holding DATABASE_URL (for secrets mounted as files)\n";

struct GlobalFlags {
  std::string broker = kDefaultClientEndpoint;
  std::string timeout = "5s";
  bool json = false;
};

void addGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.add_option("--broker", flags.broker, "broker client endpoint")
      ->envname("GANTRY_CLIENT_ENDPOINT")
      ->type_name("ENDPOINT")
      ->capture_default_str();
  app.add_option("--timeout", flags.timeout,
                 "how long to wait for each reply (put it before the subcommand for submit, "
                 "whose own --timeout is the job's)")
      ->type_name("DURATION")
      ->check(CLI::Validator(checkDuration, "", "duration"))
      ->capture_default_str();
  app.add_flag("--json", flags.json, "machine output: one JSON document on stdout");
}

// The deepest parsed subcommand that has a runner.
const Command* chosenCommand(const CommandList& commands) {
  for (const auto& command : commands) {
    if (command.app->parsed()) {
      return &command;
    }
  }
  return nullptr;
}

// The subcommands the parser had entered, as typed: "submit", "migrate
// down"; empty when it failed before any.
std::string parsedCommandPath(const CLI::App& app) {
  std::string path;
  for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    path += (path.empty() ? "" : " ") + sub->get_name();
  }
  return path;
}

// CLI11's message in our voice: lower case like ours ("The following
// argument..."; "ID is required" keeps its capitals) and, where the
// command line itself is malformed, where to read how it goes. Validation
// errors already say what is accepted. Connection-string passwords are
// masked.
std::string parseErrorMessage(const CLI::ParseError& e, const std::string& path) {
  // CLI11 quotes arguments it did not expect, which may be a mistyped
  // --database-url's value.
  std::string message = maskConnectionSecrets(e.what());
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) &&
      !std::isupper(static_cast<unsigned char>(message[1]))) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  if (e.get_name() != "ValidationError") {
    message += "; run gantryctl " + (path.empty() ? "" : path + " ") + "--help";
  }
  return message;
}

// Without a command CLI11 says "A subcommand is required", also when the
// command was misspelt.
std::string missingCommandMessage(const CLI::App& app) {
  for (const std::string& arg : app.remaining()) {
    if (!arg.empty() && arg[0] != '-') {
      return "unknown command '" + arg + "'; run gantryctl --help";
    }
  }
  return "no command given; run gantryctl --help";
}

// A parser error, reported like the commands' own usage errors: one line,
// "gantryctl <command>: ...", by the command the user was typing.
int reportParseError(const CLI::App& app, const CommandList& commands, const CLI::ParseError& e,
                     CommandContext& ctx) {
  const std::string path = parsedCommandPath(app);
  if (path.empty()) {
    ctx.err() << "gantryctl: "
              << (e.get_name() == "RequiredError" ? missingCommandMessage(app)
                                                  : parseErrorMessage(e, path))
              << "\n";
    return toInt(ExitCode::kUsage);
  }
  const std::string message = parseErrorMessage(e, path);
  for (const auto& command : commands) {
    if (command.app->parsed() && command.report_usage_error) {
      return command.report_usage_error(ctx, message);
    }
  }
  return ctx.usageError(path, message);
}

}  // namespace

int runCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err, const Clock& clock) {
  CLI::App app(
      "gantryctl: operate a Gantry deployment (submit, inspect, cancel and retry "
      "jobs; pause queues; list workers; run migrations)",
      "gantryctl");
  app.footer(exitCodeHelp() + "\n" + kEnvironmentHelp);
  app.require_subcommand(1);
  // Global flags may also follow the subcommand: "gantryctl get 7 --json".
  app.fallthrough();
  GlobalFlags flags;
  addGlobalFlags(app, flags);

  CommandList commands;
  addSubmitCommand(app, commands);
  addQueryCommands(app, commands);
  addControlCommands(app, commands);
  addMigrateCommand(app, commands);

  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.c_str());
  }
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // Help and version are "errors" with exit code 0 in CLI11.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(e, out, err);
      return toInt(ExitCode::kOk);
    }
    // Whether --json was seen before the error, for commands that print
    // their document even on failure.
    GlobalOptions global;
    global.json = app.get_option("--json")->count() > 0;
    CommandContext context(std::move(global), in, out, err, clock);
    return reportParseError(app, commands, e, context);
  }

  const Command* command = chosenCommand(commands);
  if (command == nullptr) {
    err << "gantryctl: no command given; run gantryctl --help\n";
    return toInt(ExitCode::kUsage);
  }
  // Traces go where the OpenTelemetry SDKs would send them (OTEL_*); with
  // no endpoint the tracer is off and costs nothing. Its destructor sends
  // what the command recorded (bounded by OTEL_EXPORTER_OTLP_TIMEOUT).
  auto tracing = trace::tracerConfigFromEnvironment({});
  if (!tracing.isOk()) {
    err << "gantryctl: " << tracing.status().message() << "\n";
    return toInt(ExitCode::kUsage);
  }
  trace::Tracer tracer(tracing.value(), "gantryctl");
  GlobalOptions global;
  global.tracer = &tracer;
  global.broker_endpoint = flags.broker;
  global.timeout = std::chrono::milliseconds(parseDurationMs(flags.timeout).value());
  global.json = flags.json;
  if (global.timeout.count() == 0) {
    err << "gantryctl: --timeout must be longer than 0ms\n";
    return toInt(ExitCode::kUsage);
  }
  CommandContext context(std::move(global), in, out, err, clock);
  return command->run(context);
}

}  // namespace gantry::tools
