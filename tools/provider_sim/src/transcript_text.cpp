// Transcript text and the ISO 8601 times of the data set.
#include <time.h>

#include <cstdio>

#include "gantry/sim/dataset.h"
#include "spoken_text.h"

namespace gantry::sim {
namespace {

constexpr std::string_view kWords[] = {
    "we",      "should", "ship",     "the",      "release", "next",     "week",    "after",
    "review",  "budget", "numbers",  "look",     "good",    "customer", "asked",   "about",
    "latency", "team",   "agreed",   "to",       "follow",  "up",       "on",      "metrics",
    "risk",    "plan",   "deadline", "moves",    "queue",   "workers",  "scale",   "design",
    "doc",     "needs",  "owners",   "action",   "items",   "include",  "testing", "migration",
    "rollout", "staged", "feedback", "positive", "quarter", "goals",    "hiring",  "support"};

// Cue lengths of 3..8 s over the meeting, capped so a transcript stays a
// few kilobytes however long the meeting.
constexpr int kMaxCues = 40;

}  // namespace

std::string sentence(DetRandom& rng) {
  const auto words = rng.between(6, 16);
  std::string out;
  for (int64_t i = 0; i < words; ++i) {
    std::string_view w = kWords[rng.next() % std::size(kWords)];
    if (i == 0) {
      out.push_back(static_cast<char>(w[0] - 'a' + 'A'));
      out.append(w.substr(1));
    } else {
      out.push_back(' ');
      out.append(w);
    }
  }
  out.push_back('.');
  return out;
}

std::string vttTimestamp(int64_t ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(ms / 3600000), static_cast<long long>(ms / 60000 % 60),
                static_cast<long long>(ms / 1000 % 60), static_cast<long long>(ms % 1000));
  return buffer;
}

std::string transcriptText(const Meeting& meeting, const User& user) {
  DetRandom rng(meeting.text_seed);
  const std::string speakers[] = {user.display_name, "Guest Speaker", "Sam Example"};
  std::string out = "WEBVTT\n\n";
  int64_t at = 0;
  const int64_t length = meeting.end_ms - meeting.start_ms;
  for (int cue = 1; cue <= kMaxCues && at < length; ++cue) {
    const int64_t end = std::min(length, at + rng.between(3000, 8000));
    const std::string& speaker = speakers[rng.next() % std::size(speakers)];
    const std::string text = sentence(rng);
    if (meeting.platform == Platform::kGraph) {
      out += vttTimestamp(at) + " --> " + vttTimestamp(end) + "\n<v " + speaker + ">" + text +
             "</v>\n\n";
    } else {
      out += std::to_string(cue) + "\n" + vttTimestamp(at) + " --> " + vttTimestamp(end) + "\n" +
             speaker + ": " + text + "\n\n";
    }
    at = end;
  }
  return out;
}

std::string isoTime(TimeMs wall_ms, bool graph_style) {
  const time_t seconds = static_cast<time_t>(wall_ms / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d%sZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                graph_style ? ".0000000" : "");
  return buffer;
}

std::string isoDate(TimeMs wall_ms) { return isoTime(wall_ms).substr(0, 10); }

TimeMs parseIsoTime(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offset_s = 0;
  const std::string s(text);
  int used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3 || used != 10) {
    return -1;
  }
  std::string_view rest = text.substr(10);
  if (!rest.empty()) {
    if (rest.size() < 9 || (rest[0] != 'T' && rest[0] != ' ') ||
        std::sscanf(s.c_str() + 11, "%2d:%2d:%2d", &hour, &minute, &second) != 3) {
      return -1;
    }
    rest = rest.substr(9);
    if (!rest.empty() && rest[0] == '.') {
      rest.remove_prefix(1);
      while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
        rest.remove_prefix(1);
      }
    }
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-')) {
      int oh = 0, om = 0;
      if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2) {
        return -1;
      }
      offset_s = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else if (rest != "Z" && !rest.empty()) {
      return -1;
    }
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return -1;
  }
  tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  utc.tm_sec = second;
  return (static_cast<TimeMs>(timegm(&utc)) - offset_s) * 1000;
}

}  // namespace gantry::sim
