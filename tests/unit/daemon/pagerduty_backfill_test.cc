// PagerDutyBackfillWorker without sockets: a fake HttpClient stands in for the REST API and a
// recording Feed for the store, so the snapshot attached to log entries, the error paths and
// Stop() can be checked directly.
#include "daemon/sources/pagerduty/pagerduty_backfill.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "store/model/feed.h"
#include "store/model/redactor.h"

namespace timelined::daemon {
namespace {

class RecordingFeed final : public Feed {
 public:
  void Publish(std::vector<Event> events, PublishCallback done) override {
    PublishResult r{events.size(), events.size(), 0};
    {
      std::lock_guard lock(mu_);
      for (auto& e : events) published_.push_back(std::move(e));
    }
    done(r);
  }
  bool Ready() const override { return true; }
  std::vector<Event> published() {
    std::lock_guard lock(mu_);
    return published_;
  }

 private:
  std::mutex mu_;
  std::vector<Event> published_;
};

class FakeApi final : public connectors::HttpClient {
 public:
  explicit FakeApi(int status) : status_(status) {}
  Result<connectors::HttpResponse> Send(const connectors::HttpRequest& request) override {
    connectors::HttpResponse r;
    r.status = status_;
    if (status_ != 200) return r;
    if (request.url.find("/log_entries") != std::string::npos) {
      r.body = R"({"log_entries":[
        {"id":"L1","type":"trigger_log_entry","created_at":"2026-03-14T09:26:10Z",
         "incident":{"id":"Q1"}},
        {"id":"L2","type":"annotate_log_entry","created_at":"2026-03-14T09:30:00Z",
         "incident":{"id":"Q1"}},
        {"id":"L3","type":"resolve_log_entry","created_at":"2026-03-14T10:41:03Z",
         "incident":{"id":"Q1"}}],"limit":100,"offset":0,"more":false})";
    } else {
      r.body = R"({"incident":{"id":"Q1","incident_number":7,"title":"Disk full",
        "status":"resolved","urgency":"low","created_at":"2026-03-14T09:26:10Z",
        "service":{"id":"PS1","summary":"DB"}}})";
    }
    return r;
  }

 private:
  int status_;
};

struct Rig {
  RecordingFeed feed;
  std::unique_ptr<Redactor> redactor = *Redactor::Create();
  http::MetricsRegistry metrics;
  IngestPipeline ingest{feed, *redactor, metrics, std::chrono::milliseconds(2000)};

  std::unique_ptr<PagerDutyBackfillWorker> Worker(int status) {
    config::PagerDutyConfig c;
    c.api_token = "u+token";
    c.api_base_url = "http://127.0.0.1:9";
    c.max_retries = 0;
    auto w = PagerDutyBackfillWorker::Create(c, ingest, metrics, std::make_shared<FakeApi>(status));
    EXPECT_TRUE(w.has_value());
    return std::move(*w);
  }
};

Result<BackfillReport> RunBackfill(PagerDutyBackfillWorker& w, const std::string& id) {
  std::promise<Result<BackfillReport>> p;
  w.Enqueue(id, "api", [&p](Result<BackfillReport> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

TEST(PagerDutyBackfillWorker, LogEntriesCarryTheRestIncidentWithTheStatusTheyImply) {
  Rig rig;
  auto w = rig.Worker(200);
  auto r = RunBackfill(*w, "Q1");
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->fetched, 3u);
  EXPECT_EQ(r->inserted, 3u);
  EXPECT_EQ(r->incident.number, 7);
  auto events = rig.feed.published();
  ASSERT_EQ(events.size(), 3u);
  const char* expected_status[] = {"triggered", "", "resolved"};
  for (size_t i = 0; i < events.size(); ++i) {
    auto snapshot = IncidentFromEvent(events[i]);
    ASSERT_TRUE(snapshot.has_value()) << events[i].kind;
    EXPECT_EQ(snapshot->title, "Disk full");
    EXPECT_EQ(snapshot->number, 7);
    EXPECT_EQ(snapshot->status, expected_status[i]) << events[i].kind;
  }
  EXPECT_EQ(rig.metrics.Value("timelined_pagerduty_backfills_total",
                              {{"trigger", "api"}, {"result", "ok"}}),
            1);
}

TEST(PagerDutyBackfillWorker, RestErrorsAndBadIdsPublishNothing) {
  Rig rig;
  auto unauthorized = rig.Worker(401);
  auto r = RunBackfill(*unauthorized, "Q1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  auto ok = rig.Worker(200);
  auto bad = RunBackfill(*ok, "Q1/../x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "bad_incident_id");
  EXPECT_TRUE(rig.feed.published().empty());
  EXPECT_EQ(rig.metrics.Value("timelined_pagerduty_backfills_total",
                              {{"trigger", "api"}, {"result", "error"}}),
            2);
}

TEST(PagerDutyBackfillWorker, AfterStopJobsAreRefused) {
  Rig rig;
  auto w = rig.Worker(200);
  w->Stop();
  auto r = RunBackfill(*w, "Q1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(rig.feed.published().empty());
}

}  // namespace
}  // namespace timelined::daemon
