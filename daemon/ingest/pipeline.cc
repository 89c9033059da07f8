#include "daemon/ingest/pipeline.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <nlohmann/json.hpp>

namespace timelined::daemon {
namespace {

// Shared between the feed completion and the timeout: whichever comes first answers.
struct PendingPublish {
  std::atomic<bool> answered{false};
  std::function<void(Result<IngestOutcome>)> done;
  std::unique_ptr<boost::asio::steady_timer> timer;

  bool Claim() { return !answered.exchange(true); }
};

}  // namespace

IngestPipeline::IngestPipeline(Feed& feed, const Redactor& redactor, http::MetricsRegistry& metrics,
                               std::chrono::milliseconds publish_timeout)
    : feed_(feed),
      redactor_(redactor),
      metrics_(metrics),
      publish_timeout_(publish_timeout),
      work_(std::make_unique<
            boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          timers_.get_executor())),
      timer_thread_([this] { timers_.run(); }) {
  metrics_.DeclareCounter("timelined_ingest_events_total",
                          "Events accepted for ingest, by source and outcome");
  metrics_.DeclareCounter("timelined_ingest_redactions_total",
                          "Values redacted at ingest, by source");
  metrics_.DeclareCounter("timelined_ingest_publish_failures_total",
                          "Batches not made durable, by source and reason");
}

IngestPipeline::~IngestPipeline() {
  work_.reset();
  timers_.stop();
  if (timer_thread_.joinable()) timer_thread_.join();
}

void IngestPipeline::Submit(std::string source, std::vector<Event> events,
                            std::function<void(Result<IngestOutcome>)> done) {
  Submit(std::move(source), std::move(events), std::move(done), publish_timeout_);
}

void IngestPipeline::Submit(std::string source, std::vector<Event> events,
                            std::function<void(Result<IngestOutcome>)> done,
                            std::chrono::milliseconds timeout) {
  int redactions = 0;
  for (Event& e : events) redactions += redactor_.RedactEvent(e);
  // One validation, before anything is acknowledged: what passes here is what the store
  // and the Kafka consumer accept, so a 2xx never turns into a dead letter later.
  for (size_t i = 0; i < events.size(); ++i) {
    if (auto v = ValidateEvent(events[i]); !v) {
      metrics_.Add("timelined_ingest_publish_failures_total",
                   {{"source", source}, {"reason", "invalid_event"}});
      done(MakeError(ErrorCode::kInvalidInput, v.error().message,
                     "event " + std::to_string(i) + ": " + v.error().detail));
      return;
    }
  }
  if (redactions > 0)
    metrics_.Add("timelined_ingest_redactions_total", {{"source", source}}, redactions);
  if (events.empty()) {
    done(IngestOutcome{});
    return;
  }

  auto pending = std::make_shared<PendingPublish>();
  pending->done = std::move(done);
  pending->timer =
      std::make_unique<boost::asio::steady_timer>(timers_, std::min(timeout, publish_timeout_));
  pending->timer->async_wait([this, pending, source](const boost::system::error_code& ec) {
    if (ec || !pending->Claim()) return;
    metrics_.Add("timelined_ingest_publish_failures_total",
                 {{"source", source}, {"reason", "timeout"}});
    pending->done(MakeError(kNotDurable, "the events were not committed in time; retry"));
  });
  feed_.Publish(std::move(events), [this, pending, source](Result<PublishResult> r) {
    if (!pending->Claim()) return;  // already answered 503; the retry will dedupe
    boost::asio::post(timers_, [pending] { pending->timer->cancel(); });
    if (!r) {
      metrics_.Add("timelined_ingest_publish_failures_total",
                   {{"source", source}, {"reason", ErrorCodeName(r.error().code)}});
      pending->done(std::unexpected(r.error()));
      return;
    }
    metrics_.Add("timelined_ingest_events_total", {{"source", source}, {"outcome", "inserted"}},
                 static_cast<double>(r->inserted));
    metrics_.Add("timelined_ingest_events_total", {{"source", source}, {"outcome", "duplicate"}},
                 static_cast<double>(r->duplicates));
    pending->done(IngestOutcome{r->accepted, r->inserted, r->duplicates});
  });
}

void IngestPipeline::SubmitAndRespond(std::string source, std::vector<Event> events,
                                      http::Respond respond,
                                      std::function<http::Response(const IngestOutcome&)> ok) {
  Submit(std::move(source), std::move(events),
         [respond = std::move(respond), ok = std::move(ok)](Result<IngestOutcome> r) {
           if (r) {
             respond(ok(*r));
             return;
           }
           respond(http::Response::FromError(r.error()));  // 503 carries its Retry-After
         });
}

Result<IngestOutcome> IngestPipeline::SubmitAndWait(std::string source, std::vector<Event> events) {
  auto promise = std::make_shared<std::promise<Result<IngestOutcome>>>();
  auto future = promise->get_future();
  Submit(std::move(source), std::move(events),
         [promise](Result<IngestOutcome> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace timelined::daemon
