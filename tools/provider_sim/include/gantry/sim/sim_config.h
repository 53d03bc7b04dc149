// The provider simulator's configuration: one plain struct, filled once in
// main from flags and GANTRY_SIM_* variables (gantry::Settings), checked by
// validateConfig, then passed by const reference. Thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gantry/common/status.h"

namespace gantry {
class Settings;
}  // namespace gantry

namespace gantry::sim {

// A request budget: `requests` per `period_ms`, enforced as a token bucket
// of capacity `requests` refilled continuously.
struct RateLimit {
  uint32_t requests = 10;
  int64_t period_ms = 1000;
};

struct SimConfig {
  // HOST:PORT of the provider APIs and /admin. Loopback by default: the
  // simulator has no real authentication and its admin API changes its
  // behaviour. Port 0 picks a free port (see port_file).
  std::string listen = "127.0.0.1:0";
  // Where to write the bound "HOST:PORT" once listening (empty: nowhere);
  // written whole (rename), so a reader never sees half an address.
  std::string port_file;
  // HOST:PORT for /metrics and the probes; empty = none.
  std::string metrics_listen;
  // I/O threads. Two already keep a slow response from blocking others
  // (delays are timers, not sleeps); more only help with many TLS clients.
  uint32_t threads = 2;
  std::string log_level = "info";

  // TLS: a certificate chain and key (PEM), or a directory in which to
  // generate a self-signed pair for 127.0.0.1/localhost at start. Empty:
  // plain HTTP.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_self_signed_dir;

  // The data set: the same seed and user count give the same users,
  // meetings and transcripts (times relative to anchor_unix_ms).
  uint64_t seed = 1;
  uint32_t users = 20;
  // Text, parsed by validateConfig into missing_transcript_ratio.
  std::string missing_transcript_ratio_text = "0.1";
  double missing_transcript_ratio = 0.1;
  // Meetings lie in the lookback window before the anchor; 0 = the
  // process's start time. Fixing it makes two runs' data sets identical.
  int64_t anchor_unix_ms = 0;
  uint32_t lookback_hours = 48;

  // The OpenAI-compatible API's key (Authorization: Bearer <key>).
  std::string openai_key = "sk-sim";

  // "NAME=N/s" or "NAME=N/min", repeatable; parsed into `limits` over the
  // defaults (graph 100/min, zoom.recordings 8/s, zoom 60/s, openai 10/min).
  std::vector<std::string> limit_texts;
  std::map<std::string, RateLimit> limits;
  // The limit of a generic resource (/sim/NAME/work) not named in limits.
  std::string default_limit_text = "10/s";
  RateLimit default_limit;
  // After a 429 (or a 503 with Retry-After), requests for that resource that
  // arrive within this grace were already in flight and do not count as
  // Retry-After violations.
  uint32_t in_flight_grace_ms = 250;

  // Faults active from the start, "KIND:RESOURCE[:key=value,...]"
  // (docs/provider-sim.md), repeatable.
  std::vector<std::string> faults;

  // Request bodies: audio uploads may be large, everything else is small.
  uint64_t max_upload_bytes = 50ull << 20;
  uint64_t max_body_bytes = 1ull << 20;
};

// Registers every flag. REQUIRES: `config` outlives `settings`.
void addSimSettings(Settings& settings, SimConfig& config);

// Checks every field and fills the parsed ones (ratio, limits); the first
// problem as one line naming the flag.
Status validateConfig(SimConfig& config);

// "100/min" or "8/s" (also "N/sec", "N/m", "N/minute", "N/h").
Result<RateLimit> parseRateLimit(const std::string& text);

// The providers' documented limits that apply without --limit.
std::map<std::string, RateLimit> defaultLimits();

}  // namespace gantry::sim
