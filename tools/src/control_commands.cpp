// gantryctl cancel, retry, pause, resume: requests that change state.
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "gantry/common/job_spec.h"
#include "gantry/tools/command.h"
#include "gantry/tools/render_human.h"
#include "gantry/tools/render_json.h"

namespace gantry::tools {
namespace {

struct IdsFlags {
  std::vector<uint64_t> ids;
};

struct PauseFlags {
  std::string queue;
};

// Shared by cancel and retry: one request for all ids, one outcome per id.
// Exit 1 when any id was refused; each refusal says why.
int runIdsCommand(CommandContext& ctx, const char* name, const IdsFlags& flags, bool retry) {
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError(name, client.status().message());
  }
  auto reply = retry ? client->retry(flags.ids) : client->cancel(flags.ids);
  if (!reply.isOk()) {
    return ctx.fail(name, reply.status());
  }
  int refused = 0;
  bool all_not_found = true;
  for (const auto& outcome : reply->outcomes()) {
    refused += outcome.ok() ? 0 : 1;
    all_not_found &= outcome.ok() || outcome.code() == wire::NOT_FOUND;
  }
  if (ctx.json()) {
    ctx.printJson(idOutcomesToJson(*reply));
  } else {
    ctx.out() << renderIdOutcomes(*reply, retry ? "requeued" : "cancelled");
  }
  if (refused > 0) {
    ctx.err() << "gantryctl " << name << ": " << refused << " of " << reply->outcomes_size()
              << " jobs refused (see MESSAGE)\n";
    return toInt(all_not_found ? ExitCode::kNotFound : ExitCode::kFailed);
  }
  return toInt(ExitCode::kOk);
}

int runPause(CommandContext& ctx, const char* name, const PauseFlags& flags, bool paused) {
  if (Status s = validateQueueName(flags.queue, JobLimits{}); !s.isOk()) {
    return ctx.usageError(name, s.message());
  }
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError(name, client.status().message());
  }
  if (Status s = client->pause(flags.queue, paused); !s.isOk()) {
    return ctx.fail(name, s);
  }
  if (ctx.json()) {
    ctx.printJson({{"queue", flags.queue}, {"paused", paused}});
  } else {
    ctx.out() << "queue '" << flags.queue << "' " << (paused ? "paused" : "resumed") << "\n";
  }
  return toInt(ExitCode::kOk);
}

}  // namespace

void addControlCommands(CLI::App& app, CommandList& commands) {
  auto cancel = std::make_shared<IdsFlags>();
  CLI::App* cancel_cmd = app.add_subcommand(
      "cancel", "cancel jobs: queued ones at once, running ones once their worker stops");
  cancel_cmd->add_option("ID", cancel->ids, "job ids")
      ->required()
      ->transform(checkInteger(jobIdRule()));
  commands.push_back({cancel_cmd, [cancel](CommandContext& ctx) {
                        return runIdsCommand(ctx, "cancel", *cancel, false);
                      }});

  auto retry = std::make_shared<IdsFlags>();
  CLI::App* retry_cmd = app.add_subcommand("retry", "revive dead jobs (dead -> queued)");
  retry_cmd->add_option("ID", retry->ids, "job ids")
      ->required()
      ->transform(checkInteger(jobIdRule()));
  commands.push_back({retry_cmd, [retry](CommandContext& ctx) {
                        return runIdsCommand(ctx, "retry", *retry, true);
                      }});

  auto pause = std::make_shared<PauseFlags>();
  CLI::App* pause_cmd =
      app.add_subcommand("pause", "stop dispatching a queue's jobs (submits are still accepted)");
  pause_cmd->add_option("QUEUE", pause->queue, "queue name")->required();
  commands.push_back(
      {pause_cmd, [pause](CommandContext& ctx) { return runPause(ctx, "pause", *pause, true); }});

  auto resume = std::make_shared<PauseFlags>();
  CLI::App* resume_cmd = app.add_subcommand("resume", "dispatch a paused queue's jobs again");
  resume_cmd->add_option("QUEUE", resume->queue, "queue name")->required();
  commands.push_back({resume_cmd, [resume](CommandContext& ctx) {
                        return runPause(ctx, "resume", *resume, false);
                      }});
}

}  // namespace gantry::tools
