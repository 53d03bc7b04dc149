// BrokerClient against a scripted ROUTER playing the broker.
#include "gantry/net/broker_client.h"

#include <set>

#include <gtest/gtest.h>

#include "tools/scripted_broker.h"

namespace gantry {
namespace {

using testing::ScriptedBroker;
using testing::ScriptedRequest;
using namespace std::chrono_literals;

// Generous: only a broken client ever waits this long.
constexpr auto kPatient = 10s;

BrokerClient connectTo(const ScriptedBroker& broker) {
  BrokerClientOptions options;
  options.endpoint = broker.endpoint();
  options.request_timeout = kPatient;
  auto client = BrokerClient::connect(options);
  EXPECT_TRUE(client.isOk()) << client.status().toString();
  return std::move(client).value();
}

wire::Envelope statsRequest() {
  wire::Envelope request;
  request.mutable_stats();
  return request;
}

wire::Envelope statsReply(uint64_t workers) {
  wire::Envelope reply;
  reply.mutable_stats_reply()->set_workers(workers);
  return reply;
}

TEST(BrokerClient, CallReturnsTheReplyCarryingItsCorrelationId) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.body_case(), wire::Envelope::kStats);
    EXPECT_NE(request->envelope.correlation_id(), 0u);
    side.reply(*request, statsReply(7));
  });
  BrokerClient client = connectTo(broker);

  auto reply = client.call(statsRequest(), kPatient);

  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  EXPECT_EQ(reply->stats_reply().workers(), 7u);
}

TEST(BrokerClient, CallSkipsStaleRepliesToEarlierTimedOutCalls) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto first = side.receive();
    // The second request only comes after the first call gave up.
    auto second = side.receive();
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->envelope.correlation_id(), second->envelope.correlation_id());
    side.reply(*second, statsReply(1), first->envelope.correlation_id());
    side.reply(*second, statsReply(2));
  });
  BrokerClient client = connectTo(broker);

  auto timed_out = client.call(statsRequest(), 50ms);
  auto answered = client.call(statsRequest(), kPatient);

  EXPECT_EQ(timed_out.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(answered.isOk()) << answered.status().toString();
  EXPECT_EQ(answered->stats_reply().workers(), 2u);
}

// The broker's transport would drop the connection without a word; the
// client refuses before sending.
TEST(BrokerClient, RequestOverTheEnvelopeLimitIsRefusedBeforeSending) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();  // only the stats call below arrives
    ASSERT_TRUE(request);
    EXPECT_EQ(request->envelope.body_case(), wire::Envelope::kStats);
    side.reply(*request, statsReply(3));
  });
  BrokerClient client = connectTo(broker);
  wire::JobSpec huge;
  huge.set_kind("noop");
  huge.set_payload(std::string(kMaxEnvelopeBytes + 1, 'x'));

  auto refused = client.submit({huge});

  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("exceeds the broker's limit"), std::string::npos)
      << refused.status().message();
  auto stats = client.call(statsRequest(), kPatient);
  ASSERT_TRUE(stats.isOk()) << stats.status().toString();
  EXPECT_EQ(stats->stats_reply().workers(), 3u);
}

TEST(BrokerClient, NoReplyIsUnavailableNamingEndpointAndWait) {
  ScriptedBroker silent;
  BrokerClient client = connectTo(silent);

  auto reply = client.call(statsRequest(), 20ms);

  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(reply.status().message(),
            "no reply from broker at " + silent.endpoint() + " within 20 ms");
}

TEST(BrokerClient, ErrorReplyBecomesItsStatus) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.replyError(*request, wire::QUEUE_FULL, "queue 'mail' is full (capacity 3)");
  });
  BrokerClient client = connectTo(broker);

  wire::JobSpec spec;
  spec.set_kind("send");
  auto reply = client.submit({spec});

  EXPECT_EQ(reply.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(reply.status().message(), "queue 'mail' is full (capacity 3)");
}

TEST(BrokerClient, ErrorWithoutCorrelationIdIsReportedInsteadOfTimingOut) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.reply(*request, makeErrorEnvelope(wire::MALFORMED, "expected one frame per message", 0),
               0);
  });
  BrokerClient client = connectTo(broker);

  auto reply = client.stats();

  EXPECT_EQ(reply.status().code(), StatusCode::kMalformed);
  EXPECT_EQ(reply.status().message(), "expected one frame per message");
}

TEST(BrokerClient, UndecodableReplyWithoutIdIsSkipped) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.sendRaw(*request, std::string("\xff\xff\xff", 3));
    side.reply(*request, statsReply(3));
  });
  BrokerClient client = connectTo(broker);

  auto reply = client.stats();

  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  EXPECT_EQ(reply->workers(), 3u);
}

TEST(BrokerClient, ReplyInAnotherProtocolVersionIsUnsupportedVersion) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    wire::Envelope reply = statsReply(1);
    reply.set_version(kProtocolVersion + 1);
    reply.set_correlation_id(request->envelope.correlation_id());
    side.sendRaw(*request, reply.SerializeAsString());
  });
  BrokerClient client = connectTo(broker);

  auto reply = client.stats();

  EXPECT_EQ(reply.status().code(), StatusCode::kUnsupportedVersion);
}

TEST(BrokerClient, ReplyOfTheWrongTypeIsMalformed) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.reply(*request, statsReply(1));
  });
  BrokerClient client = connectTo(broker);

  auto reply = client.get(5, false);

  EXPECT_EQ(reply.status().code(), StatusCode::kMalformed);
}

TEST(BrokerClient, PipelinedRepliesArriveInAnyOrderWithTheirIds) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    std::vector<ScriptedRequest> requests;
    for (int i = 0; i < 3; ++i) {
      auto request = side.receive();
      ASSERT_TRUE(request);
      requests.push_back(std::move(*request));
    }
    for (auto it = requests.rbegin(); it != requests.rend(); ++it) {
      side.reply(*it, statsReply(it->envelope.correlation_id()));
    }
  });
  BrokerClient client = connectTo(broker);

  std::set<uint64_t> sent;
  for (int i = 0; i < 3; ++i) {
    auto id = client.send(statsRequest());
    ASSERT_TRUE(id.isOk());
    sent.insert(*id);
  }
  std::set<uint64_t> received;
  for (int i = 0; i < 3; ++i) {
    auto reply = client.receive(kPatient);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->stats_reply().workers(), reply->correlation_id());
    received.insert(reply->correlation_id());
  }

  EXPECT_EQ(sent.size(), 3u);
  EXPECT_EQ(received, sent);
  EXPECT_FALSE(client.receive(10ms));
}

TEST(BrokerClient, SubmitSendsEverySpecAndReturnsIdsAndDuplicateFlags) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    ASSERT_EQ(request->envelope.body_case(), wire::Envelope::kSubmit);
    const auto& jobs = request->envelope.submit().jobs();
    ASSERT_EQ(jobs.size(), 2);
    EXPECT_EQ(jobs[0].kind(), "a");
    EXPECT_EQ(jobs[1].unique_key(), "u");
    wire::Envelope reply;
    reply.mutable_submit_reply()->add_ids(10);
    reply.mutable_submit_reply()->add_ids(4);
    reply.mutable_submit_reply()->add_duplicate(false);
    reply.mutable_submit_reply()->add_duplicate(true);
    side.reply(*request, reply);
  });
  BrokerClient client = connectTo(broker);
  wire::JobSpec a;
  a.set_kind("a");
  wire::JobSpec b;
  b.set_kind("b");
  b.set_unique_key("u");

  auto reply = client.submit({a, b});

  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  ASSERT_EQ(reply->ids_size(), 2);
  EXPECT_EQ(reply->ids(1), 4u);
  EXPECT_FALSE(reply->duplicate(0));
  EXPECT_TRUE(reply->duplicate(1));
}

TEST(BrokerClient, SubmitReplyWithTooFewIdsIsMalformed) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    wire::Envelope reply;
    reply.mutable_submit_reply()->add_ids(1);
    side.reply(*request, reply);
  });
  BrokerClient client = connectTo(broker);
  wire::JobSpec spec;
  spec.set_kind("k");

  auto reply = client.submit({spec, spec});

  EXPECT_EQ(reply.status().code(), StatusCode::kMalformed);
}

TEST(BrokerClient, TypedHelpersSendTheirRequestFields) {
  ScriptedBroker broker;
  broker.run([](ScriptedBroker::Side& side) {
    auto get = side.receive();
    ASSERT_TRUE(get);
    EXPECT_EQ(get->envelope.get().id(), 42u);
    EXPECT_TRUE(get->envelope.get().with_attempts());
    wire::Envelope get_reply;
    get_reply.mutable_get_reply()->mutable_job()->set_id(42);
    side.reply(*get, get_reply);

    auto list = side.receive();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->envelope.list().queue(), "q");
    EXPECT_EQ(list->envelope.list().state(), wire::DEAD);
    EXPECT_EQ(list->envelope.list().after_id(), 9u);
    wire::Envelope list_reply;
    list_reply.mutable_list_reply()->set_next_after_id(77);
    side.reply(*list, list_reply);

    for (const auto body : {wire::Envelope::kCancel, wire::Envelope::kRetry}) {
      auto ids = side.receive();
      ASSERT_TRUE(ids);
      ASSERT_EQ(ids->envelope.body_case(), body);
      const auto& sent = body == wire::Envelope::kCancel ? ids->envelope.cancel().ids()
                                                         : ids->envelope.retry().ids();
      EXPECT_EQ(std::vector<uint64_t>(sent.begin(), sent.end()), (std::vector<uint64_t>{3, 4}));
      wire::Envelope reply;
      auto* outcome = reply.mutable_id_outcomes()->add_outcomes();
      outcome->set_id(3);
      outcome->set_ok(true);
      side.reply(*ids, reply);
    }

    auto pause = side.receive();
    ASSERT_TRUE(pause);
    EXPECT_EQ(pause->envelope.pause().queue(), "mail");
    EXPECT_TRUE(pause->envelope.pause().paused());
    wire::Envelope pause_reply;
    pause_reply.mutable_pause_reply();
    side.reply(*pause, pause_reply);

    auto workers = side.receive();
    ASSERT_TRUE(workers);
    ASSERT_EQ(workers->envelope.body_case(), wire::Envelope::kWorkers);
    wire::Envelope workers_reply;
    workers_reply.mutable_workers_reply()->add_workers()->set_worker_id("w1");
    side.reply(*workers, workers_reply);
  });
  BrokerClient client = connectTo(broker);

  auto get = client.get(42, true);
  wire::ListRequest list_request;
  list_request.set_queue("q");
  list_request.set_state(wire::DEAD);
  list_request.set_after_id(9);
  auto list = client.list(list_request);
  auto cancel = client.cancel({3, 4});
  auto retry = client.retry({3, 4});
  Status pause = client.pause("mail", true);
  auto workers = client.workers();

  ASSERT_TRUE(get.isOk()) << get.status().toString();
  EXPECT_EQ(get->job().id(), 42u);
  ASSERT_TRUE(list.isOk()) << list.status().toString();
  EXPECT_EQ(list->next_after_id(), 77u);
  ASSERT_TRUE(cancel.isOk()) << cancel.status().toString();
  EXPECT_TRUE(cancel->outcomes(0).ok());
  ASSERT_TRUE(retry.isOk()) << retry.status().toString();
  EXPECT_TRUE(pause.isOk()) << pause.toString();
  ASSERT_TRUE(workers.isOk()) << workers.status().toString();
  EXPECT_EQ(workers->workers(0).worker_id(), "w1");
}

TEST(BrokerClient, MoveAssignmentReleasesTheOldConnectionAndUsesTheNewOne) {
  ScriptedBroker old_broker;
  ScriptedBroker new_broker;
  new_broker.run([](ScriptedBroker::Side& side) {
    auto request = side.receive();
    ASSERT_TRUE(request);
    side.reply(*request, statsReply(9));
  });
  BrokerClient client = connectTo(old_broker);

  // Would hang here if the old private context were released before its socket.
  client = connectTo(new_broker);
  auto reply = client.stats();

  ASSERT_TRUE(reply.isOk()) << reply.status().toString();
  EXPECT_EQ(reply->workers(), 9u);
  EXPECT_EQ(client.endpoint(), new_broker.endpoint());
}

TEST(BrokerClient, UnparseableEndpointIsInvalidArgument) {
  BrokerClientOptions options;
  options.endpoint = "not-an-endpoint";

  auto client = BrokerClient::connect(options);

  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("not-an-endpoint"), std::string::npos);
}

}  // namespace
}  // namespace gantry
