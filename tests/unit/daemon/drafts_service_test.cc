// DraftService over a real store: the auto draft after the settle delay (byte-identical to the
// summarizer's golden Markdown), reopen cancelling it, stale marking by named and scoped
// evidence, regenerate versions and Idempotency-Key replays.
#include "daemon/drafts_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "connectors/common/http_client.h"
#include "daemon/incident_hooks.h"
#include "daemon/worker_guard.h"
#include "store/model/hash.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {
namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(TIMELINED_FIXTURES) + "/summarizer/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  summarizer::SummarizerConfig config;
  std::vector<Event> events;  // in file order
};

Fixture LoadPayments() {
  Fixture f;
  auto j = nlohmann::json::parse(ReadFixture("payments_bad_deploy.json"), nullptr, false);
  EXPECT_FALSE(j.is_discarded());
  auto c = summarizer::SummarizerConfigFromJson(j["config"]);
  EXPECT_TRUE(c);
  if (c) f.config = *c;
  for (const auto& ej : j["events"]) {
    auto e = EventFromJson(ej);
    EXPECT_TRUE(e);
    if (e) f.events.push_back(*e);
  }
  return f;
}

// Polls `pred` until it holds or the deadline passes (the worker's timer has no callback
// into the test for "nothing happened").
template <typename P>
bool WaitUntil(P pred) {
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

class DraftServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("drafts_service_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::StoreOptions o;
    o.path = (dir_ / "t.db").string();
    auto st = store::SqliteEventStore::Open(o);
    ASSERT_TRUE(st) << st.error().detail;
    store_ = std::move(*st);
    hooks_ = std::make_unique<IncidentHooks>(*store_);
    fixture_ = LoadPayments();
  }
  void TearDown() override {
    if (service_) service_->Stop();
    if (store_) store_->Close();
    service_.reset();
    retired_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartService(std::chrono::milliseconds settle,
                    std::function<void(const std::string&, int)> saved_listener = nullptr) {
    DraftServiceOptions o;
    o.settle_delay = settle;
    service_ = std::make_unique<DraftService>(*store_, fixture_.config, o, SystemClock::Instance());
    service_->Attach(*hooks_);
    if (saved_listener) service_->SetSavedListener(std::move(saved_listener));
    ASSERT_TRUE(service_->Start());
  }

  // Every fixture event except those matching `skip`.
  template <typename F>
  void Submit(F keep) {
    std::vector<Event> batch;
    for (const Event& e : fixture_.events) {
      if (keep(e)) batch.push_back(e);
    }
    auto r = store_->SubmitAndWait(std::move(batch));
    ASSERT_TRUE(r) << r.error().detail;
  }

  // After it returns, the commit listeners of every earlier commit have run and every job
  // they queued on the worker has finished.
  void Sync() {
    auto r = store_->SubmitAndWait({fixture_.events.front()});  // a duplicate: a new commit
    ASSERT_TRUE(r);
    std::promise<void> done;
    service_->Generate("NO-SUCH-INCIDENT", "api", "",
                       [&](const DraftService::Outcome&) { done.set_value(); });
    ASSERT_EQ(done.get_future().wait_for(kDeadline), std::future_status::ready);
  }

  DraftService::Outcome GenerateAndWait(const std::string& id, const std::string& key = "") {
    std::promise<DraftService::Outcome> p;
    service_->Generate(id, "regenerate", key,
                       [&](const DraftService::Outcome& o) { p.set_value(o); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(kDeadline), std::future_status::ready);
    return f.get();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<IncidentHooks> hooks_;
  std::unique_ptr<DraftService> service_;
  std::unique_ptr<DraftService> retired_;
  Fixture fixture_;
};

bool IsLateSlackReply(const Event& e) {
  return e.source == "slack" && e.kind == "slack.message" &&
         e.occurred_at > ParseRfc3339("2026-03-14T12:20:00Z").value_or(0);
}

TEST_F(DraftServiceTest, AutoDraftAfterTheSettleDelayMatchesTheGoldenMarkdown) {
  StartService(std::chrono::milliseconds(20));
  Submit([](const Event&) { return true; });
  ASSERT_TRUE(WaitUntil([&] { return *store_->LatestDraftVersion("Q1PAYMNT7") == 1; }));
  auto d = store_->GetDraft("Q1PAYMNT7", 0);
  ASSERT_TRUE(d && d->has_value());
  EXPECT_EQ((*d)->trigger, "auto_close");
  EXPECT_FALSE((*d)->stale);
  EXPECT_EQ((*d)->markdown, ReadFixture("payments_bad_deploy.expected.md"));
  EXPECT_FALSE(service_->AutoDraftPending("Q1PAYMNT7"));
  EXPECT_EQ(service_->Stats().drafts_built, 1u);
}

TEST_F(DraftServiceTest, ReopenBeforeTheSettleDelayCancelsTheAutoDraft) {
  StartService(std::chrono::hours(1));
  Submit([](const Event&) { return true; });
  Sync();
  EXPECT_TRUE(service_->AutoDraftPending("Q1PAYMNT7"));
  // An older transition delivered late does not cancel.
  service_->OnTransition({"Q1PAYMNT7", "incident.acknowledged", "pd_x",
                          ParseRfc3339("2026-03-14T12:03:10Z").value_or(0)});
  EXPECT_TRUE(service_->AutoDraftPending("Q1PAYMNT7"));
  service_->OnTransition(
      {"Q1PAYMNT7", "incident.reopened", "pd_y", ParseRfc3339("2026-03-14T12:21:00Z").value_or(0)});
  EXPECT_FALSE(service_->AutoDraftPending("Q1PAYMNT7"));
  Sync();
  EXPECT_EQ(*store_->LatestDraftVersion("Q1PAYMNT7"), 0);
  EXPECT_EQ(service_->Stats().auto_cancelled, 1u);
}

TEST_F(DraftServiceTest, LateNamedEvidenceMarksTheDraftStaleAndRegenerateMakesVersionTwo) {
  StartService(std::chrono::hours(1));
  Submit([](const Event& e) { return !IsLateSlackReply(e); });
  auto v1 = GenerateAndWait("Q1PAYMNT7");
  ASSERT_TRUE(v1) << v1.error().detail;
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(DraftPath(v1->incident_id, v1->version, "json"),
            "/v1/incidents/Q1PAYMNT7/timeline.json?version=1");
  Sync();
  EXPECT_FALSE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);

  Submit(IsLateSlackReply);
  Sync();
  auto stale = store_->GetDraft("Q1PAYMNT7", 1);
  ASSERT_TRUE(stale && stale->has_value());
  EXPECT_TRUE((*stale)->stale);
  EXPECT_NE(ServedMarkdown(**stale).find("- **Stale:** yes"), std::string::npos);
  EXPECT_NE(ServedJson(**stale).find("\"stale\":true"), std::string::npos);
  EXPECT_EQ((*stale)->markdown.find("- **Stale:** yes"), std::string::npos);  // stored as built

  auto v2 = GenerateAndWait("Q1PAYMNT7");
  ASSERT_TRUE(v2) << v2.error().detail;
  EXPECT_EQ(v2->version, 2);
  EXPECT_FALSE((*store_->GetDraft("Q1PAYMNT7", 2))->stale);
}

TEST_F(DraftServiceTest, ScopedEvidenceInsideTheWindowMarksStaleOutsideItDoesNot) {
  StartService(std::chrono::hours(1));
  Submit([](const Event&) { return true; });
  ASSERT_TRUE(GenerateAndWait("Q1PAYMNT7"));

  // A Kubernetes event of the service's scope.
  auto scoped = std::find_if(fixture_.events.begin(), fixture_.events.end(),
                             [](const Event& e) { return e.scope == "k8s/payments/payments-api"; });
  ASSERT_NE(scoped, fixture_.events.end());
  Event far = *scoped;
  far.source_ref = "late-far";
  far.id = MakeEventId(far.source, far.source_ref);
  far.occurred_at = ParseRfc3339("2026-03-15T09:00:00Z").value_or(0);  // a day later
  Event other = far;
  other.source_ref = "late-other-scope";
  other.id = MakeEventId(other.source, other.source_ref);
  other.scope = "k8s/search/indexer";
  other.occurred_at = ParseRfc3339("2026-03-14T12:25:00Z").value_or(0);
  ASSERT_TRUE(store_->SubmitAndWait({far, other}));
  Sync();
  EXPECT_FALSE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);

  Event near = far;
  near.source_ref = "late-near";
  near.id = MakeEventId(near.source, near.source_ref);
  near.occurred_at = ParseRfc3339("2026-03-14T12:26:00Z").value_or(0);  // resolve + 6 min
  ASSERT_TRUE(store_->SubmitAndWait({near}));
  Sync();
  EXPECT_TRUE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);
  EXPECT_EQ(service_->Stats().marked_stale, 1u);
}

// A node that ran the service's pods (node-5, named by a Scheduled event of the fixture)
// is part of the incident's evidence: a late event on it marks the draft stale. A node
// that ran none of them (node-9) does not.
TEST_F(DraftServiceTest, LateEventOnANodeThatRanThePodsMarksStale) {
  StartService(std::chrono::hours(1));
  Submit([](const Event&) { return true; });
  ASSERT_TRUE(GenerateAndWait("Q1PAYMNT7"));
  auto node_event = [](const std::string& ref, const std::string& node) {
    Event e;
    e.source = "kubernetes";
    e.source_ref = ref;
    e.id = MakeEventId(e.source, e.source_ref);
    e.kind = "k8s.NodeNotReady";
    e.occurred_at = ParseRfc3339("2026-03-14T12:21:00Z").value_or(0);
    e.received_at = e.occurred_at;
    e.scope = "k8s/node/" + node;
    e.severity = "warning";
    e.attrs = {{"object", {{"kind", "Node"}, {"name", node}}}, {"reason", "NodeNotReady"}};
    return e;
  };
  ASSERT_TRUE(store_->SubmitAndWait({node_event("late-node-9", "node-9")}));
  Sync();
  EXPECT_FALSE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);
  ASSERT_TRUE(store_->SubmitAndWait({node_event("late-node-5", "node-5")}));
  Sync();
  EXPECT_TRUE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);
}

TEST_F(DraftServiceTest, IdempotencyKeyReplaysTheFirstAnswer) {
  StartService(std::chrono::hours(1));
  Submit([](const Event&) { return true; });
  auto first = GenerateAndWait("Q1PAYMNT7", "key-1");
  ASSERT_TRUE(first);
  auto replay = GenerateAndWait("Q1PAYMNT7", "key-1");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->version, first->version);
  EXPECT_EQ(replay->input_digest, first->input_digest);
  EXPECT_EQ(*store_->LatestDraftVersion("Q1PAYMNT7"), 1);
  auto other = GenerateAndWait("Q1OTHER", "key-1");
  ASSERT_FALSE(other);
  EXPECT_TRUE(other.error().Is(kIdempotencyKeyReused));
  EXPECT_EQ(HttpStatusFor(other.error().code), 422);
  auto fresh = GenerateAndWait("Q1PAYMNT7", "key-2");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->version, 2);
  auto missing = GenerateAndWait("Q1NOPE");
  ASSERT_FALSE(missing);
  EXPECT_EQ(HttpStatusFor(missing.error().code), 404);
}

TEST_F(DraftServiceTest, RestartRebuildsTheStaleIndexFromTheStore) {
  StartService(std::chrono::hours(1));
  Submit([](const Event& e) { return !IsLateSlackReply(e); });
  ASSERT_TRUE(GenerateAndWait("Q1PAYMNT7"));
  service_->Stop();
  retired_ = std::move(service_);  // still subscribed to hooks_, so kept alive (and stopped)
  service_ = std::make_unique<DraftService>(*store_, fixture_.config, DraftServiceOptions{},
                                            SystemClock::Instance());
  service_->Attach(*hooks_);  // the stopped service's subscription ignores everything
  ASSERT_TRUE(service_->Start());
  Submit(IsLateSlackReply);
  Sync();
  EXPECT_TRUE((*store_->GetDraft("Q1PAYMNT7", 1))->stale);
}

// Records what would be sent; answers 204.
class RecordingClient final : public connectors::HttpClient {
 public:
  Result<connectors::HttpResponse> Send(const connectors::HttpRequest& r) override {
    std::lock_guard lock(mu);
    sent.push_back(r);
    return connectors::HttpResponse{204, {}, ""};
  }
  std::mutex mu;
  std::vector<connectors::HttpRequest> sent;
};

TEST_F(DraftServiceTest, NotifiesTheConfiguredUrlWithASignedNotice) {
  auto client = std::make_shared<RecordingClient>();
  DraftServiceOptions o;
  o.settle_delay = std::chrono::hours(1);
  o.notify_url = "http://127.0.0.1:9/hooks/drafts";
  o.notify_secret = "notify-secret-for-tests";
  service_ =
      std::make_unique<DraftService>(*store_, fixture_.config, o, SystemClock::Instance(), client);
  service_->Attach(*hooks_);
  ASSERT_TRUE(service_->Start());
  Submit([](const Event&) { return true; });
  ASSERT_TRUE(GenerateAndWait("Q1PAYMNT7"));
  std::lock_guard lock(client->mu);
  ASSERT_EQ(client->sent.size(), 1u);
  const auto& r = client->sent[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, o.notify_url);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["incident_id"], "Q1PAYMNT7");
  EXPECT_EQ(body["version"], 1);
  EXPECT_EQ(body["location"], "/v1/incidents/Q1PAYMNT7/timeline.json?version=1");
  const std::string ts = r.headers.at("x-timelined-timestamp");
  EXPECT_EQ(r.headers.at("x-timelined-signature"),
            "v1=" + HmacSha256Hex(o.notify_secret, ts + "\n" + r.body));
}

}  // namespace
}  // namespace timelined::daemon

namespace timelined::daemon {
namespace {

// An incident ID that is not UTF-8 once made nlohmann throw type_error.316 on the worker,
// which aborted the daemon. The HTTP layer now refuses such IDs (400), the service returns
// data rather than JSON, and the worker survives whatever a job throws: the caller gets an
// answer and the next job runs.
TEST_F(DraftServiceTest, AJobThatThrowsIsAnsweredAndTheWorkerGoesOn) {
  int saved = 0;
  StartService(std::chrono::hours(1), [&](const std::string&, int) {
    if (++saved == 1) throw std::runtime_error("listener failed");
  });
  const uint64_t before = WorkerExceptionCounts()["drafts"];
  Submit([](const Event&) { return true; });
  DraftService::Outcome bad = GenerateAndWait("Q1PAYMNT7");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "internal");
  EXPECT_EQ(HttpStatusFor(bad.error().code), 500);
  EXPECT_EQ(WorkerExceptionCounts()["drafts"], before + 1);
  DraftService::Outcome good = GenerateAndWait("Q1PAYMNT7");
  ASSERT_TRUE(good) << good.error().detail;
  EXPECT_EQ(good->version, 2);
}

TEST_F(DraftServiceTest, AnIdThatIsNotUtf8IsNotFoundNotACrash) {
  StartService(std::chrono::hours(1));
  DraftService::Outcome bad = GenerateAndWait("\xFF\xFE");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace timelined::daemon
