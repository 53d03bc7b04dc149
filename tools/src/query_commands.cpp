// gantryctl get, list, stats, workers: read-only questions to the broker.
#include <memory>
#include <ostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "gantry/common/job_spec.h"
#include "gantry/common/job_state.h"
#include "gantry/tools/command.h"
#include "gantry/tools/render_human.h"
#include "gantry/tools/render_json.h"

namespace gantry::tools {
namespace {

// Jobs per page; the broker caps a page at the same number.
constexpr int64_t kMaxListLimit = 1000;

IntegerRule listLimitRule() {
  return {1, kMaxListLimit, "an integer in 1.." + std::to_string(kMaxListLimit)};
}

struct GetFlags {
  uint64_t id = 0;
  bool attempts = false;
};

struct ListFlags {
  std::string queue;
  std::string kind;
  std::string state;
  uint32_t limit = 50;
  uint64_t after = 0;
};

int runGet(CommandContext& ctx, const GetFlags& flags) {
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError("get", client.status().message());
  }
  auto reply = client->get(flags.id, flags.attempts);
  if (!reply.isOk()) {
    return ctx.fail("get", reply.status());
  }
  if (ctx.json()) {
    ctx.printJson(getReplyToJson(*reply));
  } else {
    ctx.out() << renderJobDetail(*reply, ctx.now());
  }
  return toInt(ExitCode::kOk);
}

// The command line for the next page, with the same filters.
std::string nextPageCommand(const ListFlags& flags, uint64_t next_after_id) {
  std::string command = "gantryctl list";
  if (!flags.queue.empty()) {
    command += " --queue " + flags.queue;
  }
  if (!flags.kind.empty()) {
    command += " --kind " + flags.kind;
  }
  if (!flags.state.empty()) {
    command += " --state " + flags.state;
  }
  command += " --limit " + std::to_string(flags.limit);
  return command + " --after " + std::to_string(next_after_id);
}

int runList(CommandContext& ctx, const ListFlags& flags) {
  // A name no queue can have would only list nothing; say why instead.
  if (!flags.queue.empty()) {
    if (Status s = validateQueueName(flags.queue, JobLimits{}); !s.isOk()) {
      return ctx.usageError("list", s.message());
    }
  }
  wire::ListRequest request;
  request.set_queue(flags.queue);
  request.set_kind(flags.kind);
  if (!flags.state.empty()) {
    request.set_state(parseJobState(flags.state).value());
  }
  request.set_limit(flags.limit);
  request.set_after_id(flags.after);
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError("list", client.status().message());
  }
  auto reply = client->list(request);
  if (!reply.isOk()) {
    return ctx.fail("list", reply.status());
  }
  if (ctx.json()) {
    ctx.printJson(listReplyToJson(*reply));
    return toInt(ExitCode::kOk);
  }
  if (reply->jobs_size() == 0) {
    // stderr, so that a script reading the table sees only the header.
    ctx.err() << "no jobs match\n";
  }
  ctx.out() << renderJobTable(*reply, ctx.now());
  if (reply->next_after_id() != 0) {
    ctx.err() << "more jobs: " << nextPageCommand(flags, reply->next_after_id()) << "\n";
  }
  return toInt(ExitCode::kOk);
}

int runStats(CommandContext& ctx) {
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError("stats", client.status().message());
  }
  auto reply = client->stats();
  if (!reply.isOk()) {
    return ctx.fail("stats", reply.status());
  }
  if (ctx.json()) {
    ctx.printJson(statsToJson(*reply));
  } else {
    ctx.out() << renderStats(*reply);
  }
  return toInt(ExitCode::kOk);
}

int runWorkers(CommandContext& ctx) {
  auto client = ctx.connectBroker();
  if (!client.isOk()) {
    return ctx.usageError("workers", client.status().message());
  }
  auto reply = client->workers();
  if (!reply.isOk()) {
    return ctx.fail("workers", reply.status());
  }
  if (ctx.json()) {
    ctx.printJson(workersToJson(*reply));
  } else {
    ctx.out() << renderWorkers(*reply, ctx.now());
  }
  return toInt(ExitCode::kOk);
}

}  // namespace

void addQueryCommands(CLI::App& app, CommandList& commands) {
  auto get = std::make_shared<GetFlags>();
  CLI::App* get_cmd = app.add_subcommand("get", "show one job");
  get_cmd->add_option("ID", get->id, "job id")->required()->transform(checkInteger(jobIdRule()));
  get_cmd->add_flag("--attempts", get->attempts, "also show every attempt");
  commands.push_back({get_cmd, [get](CommandContext& ctx) { return runGet(ctx, *get); }});

  auto list = std::make_shared<ListFlags>();
  CLI::App* list_cmd = app.add_subcommand("list", "list jobs, oldest first, a page at a time");
  list_cmd->add_option("--queue", list->queue, "only this queue");
  list_cmd->add_option("--kind", list->kind, "only this kind");
  list_cmd->add_option("--state", list->state, "only this state")
      ->check(CLI::IsMember({"queued", "running", "succeeded", "failed", "dead", "cancelled"}));
  list_cmd->add_option("--limit", list->limit, "jobs per page, 1.." + std::to_string(kMaxListLimit))
      ->transform(checkInteger(listLimitRule()))
      ->capture_default_str();
  list_cmd->add_option("--after", list->after, "show ids greater than this (paging)")
      ->type_name("ID")
      ->transform(checkInteger(afterIdRule()));
  commands.push_back({list_cmd, [list](CommandContext& ctx) { return runList(ctx, *list); }});

  CLI::App* stats_cmd = app.add_subcommand("stats", "queue depths and lifetime totals");
  commands.push_back({stats_cmd, runStats});

  CLI::App* workers_cmd = app.add_subcommand("workers", "connected workers and their load");
  commands.push_back({workers_cmd, runWorkers});
}

}  // namespace gantry::tools
