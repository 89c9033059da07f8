#include "connectors/slack/backfill.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>

#include "connectors/slack/events.h"
#include "connectors/slack/replies.h"
#include "tests/unit/connectors/common/fake_http_server.h"
#include "tests/unit/connectors/common/fixtures.h"

namespace timelined::connectors::slack {
namespace {

using testing::CannedResponse;
using testing::FakeHttpServer;
using testing::ReadFixture;
using testing::RecordedRequest;

constexpr std::string_view kTeam = "T0ACME01";
constexpr std::string_view kChannel = "C0INC1234";
constexpr std::string_view kRootTs = "1773480390.001200";
constexpr std::string_view kCursor = "bmV4dF90czoxNzczNDgwNDU1MDA0NTAw";

class FixedClock final : public Clock {
 public:
  Nanos Now() const override { return 1'773'490'000'000'000'000; }
};

struct Harness {
  std::vector<std::chrono::milliseconds> sleeps;
  FixedClock clock;

  std::unique_ptr<SlackBackfill> Make(const std::string& base_url, int max_retries = 2,
                                      std::chrono::milliseconds min_interval = {},
                                      std::function<bool()> cancelled = {}) {
    SlackBackfillOptions options;
    options.min_interval = min_interval;
    options.cancelled = std::move(cancelled);
    options.base_url = base_url + "/api";
    options.token = "xoxb-test-token";
    options.retry.max_retries = max_retries;
    options.retry.backoff_base = std::chrono::milliseconds(50);
    options.slack = {"https://acme.slack.com", "B0TIMELINED"};
    auto made = SlackBackfill::Create(
        options, nullptr, [this](std::chrono::milliseconds d) { sleeps.push_back(d); }, &clock);
    EXPECT_TRUE(made.has_value());
    return made ? std::move(*made) : nullptr;
  }
};

CannedResponse Json(std::string body) {
  return {200, {{"content-type", "application/json; charset=utf-8"}}, std::move(body)};
}

TEST(SlackBackfillTest, FollowsCursorRetries429AndMapsLikeEventsApi) {
  int calls = 0;
  FakeHttpServer server([&](const RecordedRequest& r) -> CannedResponse {
    ++calls;
    if (calls == 2) return {429, {{"retry-after", "1"}}, R"({"ok":false,"error":"ratelimited"})"};
    if (r.target.find("cursor=") == std::string::npos)
      return Json(ReadFixture("slack/replies_page1.json"));
    return Json(ReadFixture("slack/replies_page2.json"));
  });
  Harness h;
  auto events = h.Make(server.base_url())->FetchThread(kTeam, kChannel, kRootTs);
  ASSERT_TRUE(events.has_value()) << events.error().message << " " << events.error().detail;

  // parent, edited reply, deploy-bot reply; own bot dropped; the broken ts skipped.
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(h.sleeps, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000)});
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  const std::string first =
      "/api/conversations.replies?channel=C0INC1234&ts=1773480390.001200&limit=15";
  EXPECT_EQ(requests[0].target, first);
  EXPECT_EQ(requests[1].target, first + "&cursor=" + std::string(kCursor));
  EXPECT_EQ(requests[2].target, requests[1].target);  // retried after the 429
  for (const RecordedRequest& r : requests) {
    EXPECT_EQ(r.headers.at("authorization"), "Bearer xoxb-test-token");
  }

  // The same messages through the Events API get the same IDs.
  auto root = ParseEventsApi(ReadFixture("slack/message_channel.json"), 0, {});
  auto reply = ParseEventsApi(ReadFixture("slack/message_thread_reply.json"), 0, {});
  auto bot = ParseEventsApi(ReadFixture("slack/message_bot.json"), 0, {});
  ASSERT_TRUE(root && reply && bot);
  EXPECT_EQ((*events)[0].id, root->events.at(0).id);
  EXPECT_EQ((*events)[1].id, reply->events.at(0).id);
  EXPECT_EQ((*events)[2].id, bot->events.at(0).id);

  const Event& parent = (*events)[0];
  EXPECT_EQ(parent.attrs["pinned"], true);
  EXPECT_EQ(parent.attrs["reactions"][0]["name"], "eyes");
  EXPECT_EQ(parent.attrs["reply_count"], 3);
  EXPECT_FALSE(parent.attrs.contains("event_id"));
  EXPECT_EQ(parent.received_at, h.clock.Now());
  EXPECT_EQ((*events)[1].url,
            "https://acme.slack.com/archives/C0INC1234/p1773480455004500"
            "?thread_ts=1773480390.001200&cid=C0INC1234");
}

// With a minimum interval, every request after the first waits for it (through the injected
// sleeper, which does not really sleep), across pages and across threads; progress is
// reported after each page.
TEST(SlackBackfillTest, PacesRequestsAndReportsProgressPerPage) {
  FakeHttpServer server([&](const RecordedRequest& r) -> CannedResponse {
    if (r.target.find("cursor=") == std::string::npos)
      return Json(ReadFixture("slack/replies_page1.json"));
    return Json(ReadFixture("slack/replies_page2.json"));
  });
  Harness h;
  const auto interval = std::chrono::milliseconds(60'000);
  auto backfill = h.Make(server.base_url(), 2, interval);
  std::vector<std::pair<int, size_t>> seen;
  auto progress = [&seen](const FetchProgress& p) { seen.emplace_back(p.pages, p.messages); };
  auto first = backfill->FetchThread(kTeam, kChannel, kRootTs, progress);
  ASSERT_TRUE(first.has_value()) << first.error().detail;
  EXPECT_EQ(seen, (std::vector<std::pair<int, size_t>>{{1, 2}, {2, 3}}));
  ASSERT_EQ(h.sleeps.size(), 1u);  // none before the very first request
  // The fake sleeper returns at once, so the wait asked for is the whole interval less the
  // few milliseconds the first request took.
  EXPECT_LE(h.sleeps[0], interval);
  EXPECT_GT(h.sleeps[0], interval - std::chrono::milliseconds(5'000));

  // The next thread's first request keeps the pace too.
  ASSERT_TRUE(backfill->FetchThread(kTeam, kChannel, kRootTs).has_value());
  ASSERT_EQ(h.sleeps.size(), 3u);
  EXPECT_GT(h.sleeps[1], interval - std::chrono::milliseconds(5'000));
  EXPECT_EQ(server.requests().size(), 4u);
}

// A 5xx retry keeps the pace as well: its backoff (50 ms here) is stretched to the interval.
TEST(SlackBackfillTest, RetriesKeepThePace) {
  int calls = 0;
  FakeHttpServer server([&](const RecordedRequest&) -> CannedResponse {
    if (++calls == 1) return {503, {}, "busy"};
    return Json(ReadFixture("slack/replies_page2.json"));
  });
  Harness h;
  auto events = h.Make(server.base_url(), 2, std::chrono::milliseconds(60'000))
                    ->FetchThread(kTeam, kChannel, kRootTs);
  ASSERT_TRUE(events.has_value()) << events.error().detail;
  EXPECT_EQ(h.sleeps, std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(60'000)});
}

// A stopping daemon sends nothing more: neither the next page nor a retry.
TEST(SlackBackfillTest, CancelledFetchStopsBeforeTheNextRequest) {
  std::atomic<bool> stop{false};
  FakeHttpServer server([&](const RecordedRequest& r) -> CannedResponse {
    stop = true;  // the daemon starts stopping while the first page is served
    if (r.target.find("cursor=") == std::string::npos)
      return Json(ReadFixture("slack/replies_page1.json"));
    return Json(ReadFixture("slack/replies_page2.json"));
  });
  Harness h;
  auto events = h.Make(server.base_url(), 2, {}, [&stop] {
                   return stop.load();
                 })->FetchThread(kTeam, kChannel, kRootTs);
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(events.error().message, "stopping");
  EXPECT_EQ(server.requests().size(), 1u);

  stop = false;
  FakeHttpServer failing([&](const RecordedRequest&) -> CannedResponse {
    stop = true;
    return {503, {}, "busy"};
  });
  Harness h2;
  auto retried = h2.Make(failing.base_url(), 5, {}, [&stop] {
                     return stop.load();
                   })->FetchThread(kTeam, kChannel, kRootTs);
  ASSERT_FALSE(retried.has_value());
  EXPECT_EQ(failing.requests().size(), 1u);  // the retry was not sent
}

TEST(SlackBackfillTest, SlackErrorCodesBecomeErrors) {
  struct Case {
    std::string code;
    ErrorCode want;
  };
  for (const Case& c : {Case{"not_in_channel", ErrorCode::kPermissionDenied},
                        Case{"thread_not_found", ErrorCode::kNotFound},
                        Case{"invalid_auth", ErrorCode::kUnauthenticated},
                        Case{"fatal_error", ErrorCode::kUnavailable}}) {
    SCOPED_TRACE(c.code);
    FakeHttpServer server([&](const RecordedRequest&) {
      return Json(R"({"ok":false,"error":")" + c.code + R"("})");
    });
    Harness h;
    auto events = h.Make(server.base_url())->FetchThread(kTeam, kChannel, kRootTs);
    ASSERT_FALSE(events.has_value());
    EXPECT_EQ(events.error().code, c.want);
    EXPECT_EQ(events.error().message, c.code);
    EXPECT_EQ(server.requests().size(), 1u);  // ok:false is not retried
  }
}

TEST(SlackBackfillTest, PersistentRateLimitGivesUp) {
  FakeHttpServer server([](const RecordedRequest&) {
    return CannedResponse{429, {{"retry-after", "0"}}, R"({"ok":false,"error":"ratelimited"})"};
  });
  Harness h;
  auto events = h.Make(server.base_url(), 2)->FetchThread(kTeam, kChannel, kRootTs);
  ASSERT_FALSE(events.has_value());
  EXPECT_EQ(events.error().code, ErrorCode::kExhausted);
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>(2, std::chrono::milliseconds(0))));
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(SlackBackfillTest, RejectsBadArgumentsBeforeAnyRequest) {
  FakeHttpServer server([](const RecordedRequest&) { return Json("{}"); });
  Harness h;
  auto backfill = h.Make(server.base_url());
  EXPECT_EQ(backfill->FetchThread(kTeam, "C1&x=y", kRootTs).error().message, "bad_argument");
  EXPECT_EQ(backfill->FetchThread(kTeam, kChannel, "abc").error().message, "bad_argument");
  EXPECT_EQ(backfill->FetchThread("", kChannel, kRootTs).error().message, "bad_argument");
  EXPECT_TRUE(server.requests().empty());
}

TEST(SlackRepliesTest, ParsePageDirectly) {
  auto page = ParseRepliesPage(ReadFixture("slack/replies_page2.json"), kTeam, kChannel, 7,
                               {"https://acme.slack.com", "B0TIMELINED"});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->skipped, 1u);
  EXPECT_EQ(page->next_cursor, "");
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(ParseRepliesPage("[]", kTeam, kChannel, 7, {}).error().message, "invalid_payload");
  EXPECT_EQ(ParseRepliesPage(R"({"ok":true})", kTeam, kChannel, 7, {}).error().message,
            "invalid_payload");
}

}  // namespace
}  // namespace timelined::connectors::slack
