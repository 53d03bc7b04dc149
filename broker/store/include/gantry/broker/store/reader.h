// The query thread: answers get and list from Postgres on its own
// connection, so reads never wait behind group commits and commits never
// wait behind a slow query. It also completes cancel replies: an id the
// broker does not hold is either final or unknown, and only the store can
// tell. Replies go back to the loop through a Mailbox.
// Thread-safety: submit() from any thread; the rest is the reader's own.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "gantry.pb.h"
#include "gantry/broker/store/pg_store.h"
#include "gantry/common/mailbox.h"

namespace gantry::broker {

struct ReadRequest {
  std::string routing_id;
  // A get or list request; or a cancel reply (id_outcomes) whose NOT_FOUND
  // outcomes are to be checked against the finished jobs.
  wire::Envelope request;
};
struct ReadReply {
  std::string routing_id;
  wire::Envelope reply;
};

class Reader {
 public:
  explicit Reader(std::string conninfo);
  ~Reader();  // stops and joins

  void start();
  void submit(ReadRequest request) { requests_.push(std::move(request)); }
  Mailbox<ReadReply>& replies() { return replies_; }

 private:
  void run();
  wire::Envelope answer(const wire::Envelope& request);
  wire::Envelope answerGet(const wire::GetRequest& get, uint64_t correlation_id);
  wire::Envelope answerList(const wire::ListRequest& list, uint64_t correlation_id);
  wire::Envelope completeCancel(wire::Envelope reply);

  const std::string conninfo_;
  std::unique_ptr<PgStore> store_;
  Mailbox<ReadRequest> requests_;
  Mailbox<ReadReply> replies_;
  EventFd stop_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gantry::broker
