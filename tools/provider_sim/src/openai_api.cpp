// An OpenAI-compatible API, the part the workloads use (under /openai/v1),
// both charged to resource "openai":
//   POST /chat/completions     a deterministic summary of the last user message
//   POST /audio/transcriptions multipart: file, model, response_format,
//                              optional duration_hint (seconds)
// Answers depend only on what was sent (and the seed), never on time.
#include <cmath>
#include <cstdio>

#include "audio_duration.h"
#include "multipart.h"
#include "route.h"
#include "spoken_text.h"

namespace gantry::sim {
namespace {

using nlohmann::json;

constexpr size_t kQuoteChars = 160;
constexpr double kMaxDurationS = 24 * 3600;

// The text of a message's content: a string, or an array of parts of which
// the "text" ones count.
std::string contentText(const json& content) {
  if (content.is_string()) {
    return content.get<std::string>();
  }
  std::string out;
  if (content.is_array()) {
    for (const json& part : content) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") &&
          part["text"].is_string()) {
        out += part["text"].get<std::string>() + "\n";
      }
    }
  }
  return out;
}

// The spoken lines of a transcript (VTT headers, cue numbers and times and
// voice tags dropped), or the plain text's lines.
std::vector<std::string> spokenLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    const auto eol = text.find('\n', at);
    std::string line = text.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
    at = eol == std::string::npos ? text.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty() || line == "WEBVTT" || line.find("-->") != std::string::npos ||
        line.find_first_not_of("0123456789") == std::string::npos) {
      continue;
    }
    if (line.rfind("<v ", 0) == 0) {
      const auto close = line.find('>');
      line = line.substr(close == std::string::npos ? 0 : close + 1);
      if (auto end = line.rfind("</v>"); end != std::string::npos) {
        line.erase(end);
      }
    }
    lines.push_back(line.size() > kQuoteChars ? line.substr(0, kQuoteChars) + "..." : line);
  }
  return lines;
}

size_t wordCount(const std::string& text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    words += (!space && !in_word) ? 1 : 0;
    in_word = !space;
  }
  return words;
}

std::string hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string summarize(const std::string& text) {
  const std::vector<std::string> lines = spokenLines(text);
  std::string out = "Summary: ";
  if (lines.empty()) {
    return out + "The conversation had no spoken content.";
  }
  out += "The discussion opened with \"" + lines.front() + "\"";
  if (lines.size() > 2) {
    out += ", covered \"" + lines[lines.size() / 2] + "\"";
  }
  if (lines.size() > 1) {
    out += " and closed with \"" + lines.back() + "\"";
  }
  out += ". " + std::to_string(lines.size()) + " lines, " + std::to_string(wordCount(text)) +
         " words (digest " + hex64(fingerprint(text)).substr(0, 8) + ").";
  return out;
}

HttpReply chatCompletions(const EndpointContext& ctx) {
  const json request = json::parse(ctx.request.body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) {
    return badRequestReply(Provider::kOpenAi, "The request body is not valid JSON.");
  }
  if (!request.contains("model") || !request["model"].is_string()) {
    return badRequestReply(Provider::kOpenAi, "you must provide a model parameter");
  }
  if (!request.contains("messages") || !request["messages"].is_array() ||
      request["messages"].empty()) {
    return badRequestReply(Provider::kOpenAi, "'messages' must be a non-empty array");
  }
  std::string user_text;
  size_t prompt_chars = 0;
  for (const json& message : request["messages"]) {
    if (!message.is_object() || !message.contains("role") || !message.contains("content")) {
      return badRequestReply(Provider::kOpenAi, "each message needs a role and a content");
    }
    const std::string text = contentText(message["content"]);
    prompt_chars += text.size();
    if (message["role"] == "user") {
      user_text = text;
    }
  }
  const std::string summary = summarize(user_text);
  const size_t prompt_tokens = (prompt_chars + 3) / 4;
  const size_t completion_tokens = (summary.size() + 3) / 4;
  return jsonReply(
      200, {{"id", "chatcmpl-sim" + hex64(fingerprint(user_text))},
            {"object", "chat.completion"},
            {"created", ctx.state.wallMs() / 1000},
            {"model", request["model"]},
            {"choices", json::array({{{"index", 0},
                                      {"message", {{"role", "assistant"}, {"content", summary}}},
                                      {"finish_reason", "stop"}}})},
            {"usage",
             {{"prompt_tokens", prompt_tokens},
              {"completion_tokens", completion_tokens},
              {"total_tokens", prompt_tokens + completion_tokens}}}});
}

double roundCs(double seconds) { return std::round(seconds * 100.0) / 100.0; }

// Segments of 3..8 s covering [0, duration]; only the last may be shorter
// (when the whole file is).
json segments(uint64_t seed, double duration, std::string& text) {
  DetRandom rng(seed);
  json out = json::array();
  const auto total_cs = static_cast<int64_t>(std::llround(duration * 100.0));
  int64_t at = 0;
  for (int id = 0; at < total_cs; ++id) {
    const int64_t remaining = total_cs - at;
    const int64_t length =
        remaining <= 800 ? remaining : rng.between(300, std::min<int64_t>(800, remaining - 300));
    const std::string line = sentence(rng);
    text += (text.empty() ? "" : " ") + line;
    out.push_back({{"id", id},
                   {"seek", at},
                   {"start", roundCs(static_cast<double>(at) / 100.0)},
                   {"end", roundCs(static_cast<double>(at + length) / 100.0)},
                   {"text", " " + line},
                   {"tokens", json::array()},
                   {"temperature", 0.0},
                   {"avg_logprob", -0.25},
                   {"compression_ratio", 1.4},
                   {"no_speech_prob", 0.01}});
    at += length;
  }
  return out;
}

HttpReply transcriptions(const EndpointContext& ctx) {
  auto parts = parseMultipart(ctx.request.content_type, ctx.request.body);
  if (!parts.isOk()) {
    return badRequestReply(Provider::kOpenAi, parts.status().message());
  }
  const FormPart* file = nullptr;
  std::map<std::string, std::string> fields;
  for (const FormPart& part : parts.value()) {
    if (part.name == "file") {
      file = &part;
    } else {
      fields[part.name] = part.data;
    }
  }
  if (file == nullptr || file->data.empty()) {
    return badRequestReply(Provider::kOpenAi, "a non-empty 'file' part is required");
  }
  if (fields["model"].empty()) {
    return badRequestReply(Provider::kOpenAi, "you must provide a model parameter");
  }
  const std::string format = fields.count("response_format") ? fields["response_format"] : "json";
  if (format != "json" && format != "text" && format != "verbose_json") {
    return badRequestReply(Provider::kOpenAi,
                           "response_format must be one of json, text, verbose_json");
  }
  std::optional<double> duration = wavDuration(file->data);
  if (!duration && fields.count("duration_hint")) {
    char* end = nullptr;
    const double hint = std::strtod(fields["duration_hint"].c_str(), &end);
    if (end == fields["duration_hint"].c_str() || *end != '\0' || !(hint > 0)) {
      return badRequestReply(Provider::kOpenAi, "duration_hint must be a positive number");
    }
    duration = hint;
  }
  const double seconds =
      std::min(kMaxDurationS, duration.value_or(durationFromSize(file->data.size())));
  std::string text;
  const json segs = segments(fingerprint(file->data) ^ ctx.config.seed, seconds, text);
  if (format == "text") {
    HttpReply reply;
    reply.content_type = "text/plain; charset=utf-8";
    reply.body = text;
    return reply;
  }
  if (format == "json") {
    return jsonReply(200, {{"text", text}});
  }
  return jsonReply(200, {{"task", "transcribe"},
                         {"language", "english"},
                         {"duration", roundCs(seconds)},
                         {"text", text},
                         {"segments", segs}});
}

}  // namespace

void addOpenAiRoutes(std::vector<Route>& routes) {
  routes.push_back({"POST", Provider::kOpenAi, "chat/completions", "openai", chatCompletions});
  routes.push_back({"POST", Provider::kOpenAi, "audio/transcriptions", "openai", transcriptions});
}

}  // namespace gantry::sim
