#include "gantry/common/log.h"

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace gantry::log {
namespace {

// The body after the fixed prefix: "msg":"...",<fields>. Built with
// nlohmann so that every string is escaped correctly.
std::string body(std::string_view msg, Fields fields) {
  std::string out = "\"msg\":" + nlohmann::json(msg).dump();
  for (const auto& [key, value] : fields) {
    out += ",\"";
    out += key;
    out += "\":";
    out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out;
}

void emit(spdlog::level::level_enum level, std::string_view msg, Fields fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) {
    return;
  }
  logger->log(level, "{}", body(msg, fields));
}

// Protobuf reports undecodable peer input (e.g. invalid UTF-8) on stderr
// by itself; route it into our JSON lines at debug level instead.
void protobufLog(google::protobuf::LogLevel level, const char* file, int line,
                 const std::string& message) {
  emit(level >= google::protobuf::LOGLEVEL_ERROR ? spdlog::level::debug : spdlog::level::trace,
       "protobuf: " + message, {{"file", file}, {"line", line}});
}

}  // namespace

void init(std::string_view component, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt("gantry");
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":")" +
                          std::string(component) + R"(",%v})",
                      spdlog::pattern_time_type::utc);
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only honour "off" when asked.
  if (parsed == spdlog::level::off && level != "off") {
    parsed = spdlog::level::info;
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  google::protobuf::SetLogHandler(protobufLog);
}

void debug(std::string_view msg, Fields fields) { emit(spdlog::level::debug, msg, fields); }
void info(std::string_view msg, Fields fields) { emit(spdlog::level::info, msg, fields); }
void warn(std::string_view msg, Fields fields) { emit(spdlog::level::warn, msg, fields); }
void error(std::string_view msg, Fields fields) { emit(spdlog::level::err, msg, fields); }

}  // namespace gantry::log
