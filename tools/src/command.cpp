#include "gantry/tools/command.h"

#include <ostream>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "gantry/tools/render_json.h"
#include "gantry/tools/time_text.h"

namespace gantry::tools {

CommandContext::CommandContext(GlobalOptions global, std::istream& in, std::ostream& out,
                               std::ostream& err, const Clock& clock)
    : global_(std::move(global)), in_(in), out_(out), err_(err), clock_(clock) {}

Result<BrokerClient> CommandContext::connectBroker() const {
  BrokerClientOptions options;
  options.endpoint = global_.broker_endpoint;
  options.request_timeout = global_.timeout;
  options.tracer = global_.tracer;
  return BrokerClient::connect(options);
}

int CommandContext::usageError(std::string_view command, std::string_view message) {
  err_ << "gantryctl " << command << ": " << message << "\n";
  return toInt(ExitCode::kUsage);
}

int CommandContext::fail(std::string_view command, const Status& status, Peer peer) {
  err_ << "gantryctl " << command << ": " << describeFailure(status, peer) << "\n";
  return toInt(exitCodeFor(status));
}

void CommandContext::printJson(const nlohmann::json& document) { out_ << dumpJson(document); }

std::string checkDuration(const std::string& text) {
  auto parsed = parseDurationMs(text);
  return parsed.isOk() ? std::string() : parsed.status().message();
}

CLI::Validator checkInteger(IntegerRule rule) {
  return CLI::Validator(
      [rule = std::move(rule)](std::string& text) {
        auto parsed = parseInteger(text, rule);
        if (!parsed.isOk()) {
          return parsed.status().message();
        }
        // What CLI11 converts next is the number as checked.
        text = std::to_string(*parsed);
        return std::string();
      },
      "", "integer");
}

}  // namespace gantry::tools
