// libFuzzer target for everything a peer can send: bytes are decoded as an
// envelope and, when they decode, fed to a broker core as the message they
// claim to be. Any crash, assertion or sanitizer report is a bug: no input
// from the network may bring the broker down.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gantry/broker/core/broker_core.h"
#include "gantry/common/codec.h"

namespace {

gantry::broker::BrokerCore& core() {
  static gantry::broker::BrokerConfig config;
  static gantry::broker::BrokerCore instance(config, 1);
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Time moves on with every input; now and then the wall clock jumps, as
  // NTP may make it, which must not matter either.
  static gantry::Now now{1'700'000'000'000, 5'000'000};
  now.mono_ms += 137;
  now.wall_ms += size % 7 == 0 ? -3'600'000 : 137;
  auto decoded =
      gantry::decodeEnvelope(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!decoded.status.isOk()) {
    return 0;
  }
  const auto& env = decoded.envelope;
  const std::string peer = size > 0 ? std::string(1, static_cast<char>(data[0] % 4)) : "p";
  const gantry::broker::Sender from{peer, env.correlation_id()};
  auto& broker = core();
  switch (env.body_case()) {
    case gantry::wire::Envelope::kHello:
      broker.onHello(from, env.hello(), now);
      break;
    case gantry::wire::Envelope::kCredit:
      broker.onCredit(from, env.credit(), now);
      break;
    case gantry::wire::Envelope::kProgress:
      broker.onProgress(from, env.progress(), now);
      break;
    case gantry::wire::Envelope::kResult:
      broker.onResult(from, env.result(), now);
      break;
    case gantry::wire::Envelope::kHeartbeat:
      broker.onHeartbeat(from, now);
      break;
    case gantry::wire::Envelope::kSubmit:
      (void)broker.submit(env.submit(), now);
      break;
    case gantry::wire::Envelope::kCancel:
      (void)broker.cancel(env.cancel(), now);
      break;
    case gantry::wire::Envelope::kPause:
      (void)broker.setPaused(env.pause().queue(), env.pause().paused(), now);
      break;
    default:
      break;
  }
  broker.tick(now);
  (void)broker.takeEffects();
  return 0;
}
