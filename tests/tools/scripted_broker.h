// A stand-in for the broker's client endpoint: a ROUTER bound on
// tcp://127.0.0.1:* whose behaviour is a script run on its own thread, so a
// test can make blocking calls from the test thread. The socket is created
// and bound on the test thread (bind before connect) and handed to the
// script thread when it starts; no socket is ever used by two threads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "gantry.pb.h"
#include "gantry/common/codec.h"
#include "gantry/net/transport.h"

namespace gantry::testing {

// One request as the broker saw it.
struct ScriptedRequest {
  std::string routing_id;
  wire::Envelope envelope;
};

class ScriptedBroker {
 public:
  // Long enough for any healthy test, short enough that a broken client
  // fails the test instead of hanging it.
  static constexpr int kSafetyTimeoutMs = 10000;

  // The broker side of a script.
  class Side {
   public:
    explicit Side(zmq::socket_t& socket) : socket_(socket) {}

    // The next request; nullopt (and a test failure) if none arrives within
    // the safety timeout or it does not decode.
    std::optional<ScriptedRequest> receive() {
      std::vector<zmq::message_t> frames;
      try {
        zmq::message_t frame;
        do {
          if (!socket_.recv(frame, zmq::recv_flags::none)) {
            ADD_FAILURE() << "scripted broker: no request within " << kSafetyTimeoutMs << " ms";
            return std::nullopt;
          }
          frames.push_back(std::move(frame));
        } while (socket_.get(zmq::sockopt::rcvmore));
      } catch (const zmq::error_t& e) {
        ADD_FAILURE() << "scripted broker: " << e.what();
        return std::nullopt;
      }
      if (frames.size() != 2) {
        ADD_FAILURE() << "scripted broker: expected [routing id][body], got " << frames.size()
                      << " frames";
        return std::nullopt;
      }
      Decoded decoded = decodeEnvelope(frames[1].to_string_view());
      if (!decoded.status.isOk()) {
        ADD_FAILURE() << "scripted broker: " << decoded.status.toString();
        return std::nullopt;
      }
      return ScriptedRequest{frames[0].to_string(), std::move(decoded.envelope)};
    }

    // Sends `reply` to the sender of `to`, echoing its correlation id unless
    // `correlation_id` overrides it.
    void reply(const ScriptedRequest& to, wire::Envelope reply,
               std::optional<uint64_t> correlation_id = std::nullopt) {
      reply.set_correlation_id(correlation_id.value_or(to.envelope.correlation_id()));
      EXPECT_TRUE(sendRouted(socket_, to.routing_id, reply));
    }

    void replyError(const ScriptedRequest& to, wire::ErrorCode code, std::string message) {
      reply(to, makeErrorEnvelope(code, std::move(message), to.envelope.correlation_id()));
    }

    // Bytes that need not be a valid envelope.
    void sendRaw(const ScriptedRequest& to, const std::string& bytes) {
      socket_.send(zmq::buffer(to.routing_id), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(bytes), zmq::send_flags::none);
    }

   private:
    zmq::socket_t& socket_;
  };

  ScriptedBroker() : socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, kSafetyTimeoutMs);
    endpoint_ = bindResolved(socket_, "tcp://127.0.0.1:*");
  }

  ~ScriptedBroker() { join(); }

  ScriptedBroker(const ScriptedBroker&) = delete;
  ScriptedBroker& operator=(const ScriptedBroker&) = delete;

  const std::string& endpoint() const { return endpoint_; }

  // Starts `script` on the broker thread. Without a script the broker is
  // silent: it accepts connections and never answers.
  // REQUIRES: called at most once.
  void run(std::function<void(Side&)> script) {
    thread_ = std::thread([this, script = std::move(script)] {
      Side side(socket_);
      script(side);
    });
  }

  // Waits for the script to finish.
  void join() {
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
  std::string endpoint_;
  std::thread thread_;
};

}  // namespace gantry::testing
