#include "connectors/pagerduty/backfill.h"

#include <gtest/gtest.h>

#include "tests/unit/connectors/common/fake_http_server.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::pagerduty {
namespace {

using testing::CannedResponse;
using testing::FakeHttpServer;
using testing::ReadFixture;
using testing::RecordedRequest;

class FixedClock final : public Clock {
 public:
  Nanos Now() const override { return 1'773'490'000'000'000'000; }
};

struct Harness {
  std::vector<std::chrono::milliseconds> sleeps;
  FixedClock clock;

  std::unique_ptr<PagerDutyBackfill> Make(const std::string& base_url, int max_retries = 3) {
    PagerDutyBackfillOptions options;
    options.base_url = base_url + "/";
    options.token = "u+test-token";
    options.page_limit = 3;
    options.retry.max_retries = max_retries;
    options.retry.backoff_base = std::chrono::milliseconds(100);
    options.http.connect_timeout = std::chrono::milliseconds(2000);
    options.http.request_timeout = std::chrono::milliseconds(5000);
    auto made = PagerDutyBackfill::Create(
        options, nullptr, [this](std::chrono::milliseconds d) { sleeps.push_back(d); }, &clock);
    EXPECT_TRUE(made.has_value());
    return made ? std::move(*made) : nullptr;
  }
};

CannedResponse Json(std::string body) {
  return {200, {{"content-type", "application/json"}}, std::move(body)};
}

TEST(PagerDutyBackfillTest, FetchesAllPagesAndRetries429) {
  int calls = 0;
  FakeHttpServer server([&](const RecordedRequest& r) -> CannedResponse {
    if (++calls == 1) return {429, {{"ratelimit-reset", "1"}}, R"({"error":{"code":2020}})"};
    if (r.target.ends_with("offset=0"))
      return Json(ReadFixture("pagerduty/log_entries_page1.json"));
    if (r.target.ends_with("offset=3"))
      return Json(ReadFixture("pagerduty/log_entries_page2.json"));
    if (r.target.ends_with("offset=6"))
      return Json(ReadFixture("pagerduty/log_entries_page3.json"));
    return {404, {}, "{}"};
  });
  Harness h;
  auto backfill = h.Make(server.base_url());
  auto events = backfill->FetchLogEntries("Q1ABCDEF2GHIJK");
  ASSERT_TRUE(events.has_value()) << events.error().message << " " << events.error().detail;
  EXPECT_EQ(events->size(), 8u);  // 3 + 3 + 2 (one broken entry skipped)
  EXPECT_EQ(events->front().source_ref, "log_entry:RLE0TRIG");
  EXPECT_EQ(events->back().source_ref, "log_entry:RLE0ACK2");
  EXPECT_EQ(events->front().received_at, h.clock.Now());
  EXPECT_EQ(h.sleeps, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000)});

  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].target, "/incidents/Q1ABCDEF2GHIJK/log_entries?limit=3&offset=0");
  EXPECT_EQ(requests[1].target, requests[0].target);  // the retried request
  EXPECT_EQ(requests[2].target, "/incidents/Q1ABCDEF2GHIJK/log_entries?limit=3&offset=3");
  EXPECT_EQ(requests[3].target, "/incidents/Q1ABCDEF2GHIJK/log_entries?limit=3&offset=6");
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.headers.at("authorization"), "Token token=u+test-token");
    EXPECT_EQ(r.headers.at("accept"), "application/vnd.pagerduty+json;version=2");
    EXPECT_EQ(r.headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
  }
}

TEST(PagerDutyBackfillTest, BackoffWithoutRateLimitHeaderThenGivesUp) {
  FakeHttpServer server([](const RecordedRequest&) { return CannedResponse{429, {}, ""}; });
  Harness h;
  auto events = h.Make(server.base_url(), 3)->FetchLogEntries("Q1");
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code, ErrorCode::kExhausted);
  EXPECT_EQ(events.error().message, "http_429");
  using std::chrono::milliseconds;
  EXPECT_EQ(h.sleeps,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}));
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(PagerDutyBackfillTest, StatusErrorsMapToCodes) {
  struct Case {
    int status;
    ErrorCode code;
    size_t requests;
  };
  for (const Case& c :
       {Case{401, ErrorCode::kUnauthenticated, 1}, Case{403, ErrorCode::kPermissionDenied, 1},
        Case{404, ErrorCode::kNotFound, 1}, Case{400, ErrorCode::kInvalidInput, 1},
        Case{503, ErrorCode::kUnavailable, 3}}) {
    SCOPED_TRACE(c.status);
    FakeHttpServer server([&](const RecordedRequest&) {
      return CannedResponse{c.status, {}, "{}"};
    });
    Harness h;
    auto events = h.Make(server.base_url(), 2)->FetchLogEntries("Q1");
    ASSERT_FALSE(events.has_value());
    EXPECT_EQ(events.error().code, c.code);
    EXPECT_EQ(server.requests().size(), c.requests);
  }
}

TEST(PagerDutyBackfillTest, RejectsBadIdsAndBadBodies) {
  FakeHttpServer server([](const RecordedRequest&) { return Json("<html>oops</html>"); });
  Harness h;
  auto backfill = h.Make(server.base_url());
  EXPECT_EQ(backfill->FetchLogEntries("../admin").error().message, "bad_incident_id");
  EXPECT_EQ(backfill->FetchLogEntries("").error().message, "bad_incident_id");
  auto bad_body = backfill->FetchLogEntries("Q1");
  ASSERT_FALSE(bad_body.has_value());
  EXPECT_EQ(bad_body.error().message, "bad_response");
  EXPECT_EQ(server.requests().size(), 1u);  // ids are checked before any request
}

TEST(PagerDutyBackfillTest, FetchIncident) {
  FakeHttpServer server([](const RecordedRequest& r) {
    return r.target == "/incidents/Q1ABCDEF2GHIJK"
               ? Json(ReadFixture("pagerduty/rest_incident.json"))
               : CannedResponse{404, {}, "{}"};
  });
  Harness h;
  auto incident = h.Make(server.base_url())->FetchIncident("Q1ABCDEF2GHIJK");
  ASSERT_TRUE(incident.has_value());
  EXPECT_EQ(incident->number, 1234);
  EXPECT_EQ(incident->assignees.size(), 2u);
}

TEST(PagerDutyBackfillTest, ConnectionRefusedIsUnavailable) {
  std::string base;
  {
    FakeHttpServer server([](const RecordedRequest&) { return CannedResponse{}; });
    base = server.base_url();
  }  // closed: the port now refuses connections
  Harness h;
  auto events = h.Make(base, 1)->FetchLogEntries("Q1");
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(h.sleeps.size(), 1u);
}

TEST(PagerDutyBackfillTest, CreateValidatesOptions) {
  PagerDutyBackfillOptions options;
  options.token = "";
  EXPECT_EQ(PagerDutyBackfill::Create(options).error().message, "missing_token");
  options.token = "t";
  options.base_url = "ftp://api.pagerduty.com";
  EXPECT_EQ(PagerDutyBackfill::Create(options).error().message, "bad_url");
}

}  // namespace
}  // namespace timelined::connectors::pagerduty
