#pragma once
// IngestPipeline: the one path from connectors to durability. Validates, redacts, stamps
// received_at, publishes to the Feed and answers the HTTP request only when the feed says
// the events are durable — or 503 with Retry-After when that does not happen within the
// publish timeout (the sender retries; events are idempotent by ID, so nothing doubles).
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/http/metrics.h"
#include "daemon/http/types.h"
#include "store/model/feed.h"
#include "store/model/redactor.h"

namespace timelined::daemon {

struct IngestOutcome {
  size_t accepted = 0;
  size_t inserted = 0;
  size_t duplicates = 0;
};

class IngestPipeline {
 public:
  IngestPipeline(Feed& feed, const Redactor& redactor, http::MetricsRegistry& metrics,
                 std::chrono::milliseconds publish_timeout);
  ~IngestPipeline();

  // Redacts, validates (ValidateEvent: a bad event fails the whole batch with
  // kInvalidInput, nothing published) and publishes `events`; calls `done` once with the
  // outcome or the error (kUnavailable on timeout). `source` labels
  // the metrics. `done` runs on a feed or timer thread.
  void Submit(std::string source, std::vector<Event> events,
              std::function<void(Result<IngestOutcome>)> done);
  // The same with a shorter wait for durability than the publish timeout (Slack's 3 s
  // deadline): min(timeout, publish timeout).
  void Submit(std::string source, std::vector<Event> events,
              std::function<void(Result<IngestOutcome>)> done, std::chrono::milliseconds timeout);

  // The common HTTP answer: `ok` builds the success response from the outcome.
  void SubmitAndRespond(std::string source, std::vector<Event> events, http::Respond respond,
                        std::function<http::Response(const IngestOutcome&)> ok);

  // Blocking form for the command line (`timelined import`).
  Result<IngestOutcome> SubmitAndWait(std::string source, std::vector<Event> events);

 private:
  Feed& feed_;
  const Redactor& redactor_;
  http::MetricsRegistry& metrics_;
  std::chrono::milliseconds publish_timeout_;
  boost::asio::io_context timers_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread timer_thread_;
};

}  // namespace timelined::daemon
