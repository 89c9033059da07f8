// Hostile bodies through the real binary (issue 11): deep nesting on every JSON route,
// values the model cannot hold, and text that is not UTF-8. Each is answered 4xx (or
// stored as said), nothing is half-written, and the daemon stays up.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "store/model/hash.h"
#include "store/sqlite_store.h"
#include "tests/integration/harness.h"

namespace timelined::testing {
namespace {

using nlohmann::json;

constexpr const char* kSecret = "pd-hostile-secret";

std::string Deep(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

uint64_t CountEvents(const std::string& db) {
  store::StoreOptions o;
  o.path = db;
  auto st = store::SqliteEventStore::Open(o);
  if (!st) return UINT64_MAX;
  auto n = (*st)->CountEvents();
  return n ? *n : UINT64_MAX;
}

std::string ErrorCodeOf(const HttpResult& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].get<std::string>() : "";
}

struct Hostile {
  const char* name;
  const char* target;
  std::string body;
  const char* content_type;
  int status;
  const char* error;  // "" = do not check the code
};

TEST(HostileInput, DeepNestingIsRefusedOnEveryJsonRouteAndTheDaemonStaysUp) {
  TempDir dir;
  Daemon d(dir, std::string("[[pagerduty.subscriptions]]\nid = \"PSUB1\"\nsecret = \"") + kSecret +
                    "\"\n");
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string deep = Deep(100'000);
  const std::string event_head =
      R"({"source":"custom","source_ref":"r1","kind":"k","occurred_at":5,"attrs":{"a":)";
  const Hostile cases[] = {
      {"whole body", "/ingest/events", deep, "application/json", 400, "json_too_deep"},
      {"attrs 100k deep", "/ingest/events", event_head + deep + "}}", "application/json", 400,
       "json_too_deep"},
      {"attrs 70 deep", "/ingest/events", event_head + Deep(70) + "}}", "application/json", 400,
       "json_too_deep"},
      // Within the body limit but deeper than attrs may nest: one rule before the 2xx.
      {"attrs 40 deep", "/ingest/events", event_head + Deep(40) + "}}", "application/json", 400,
       "invalid_event"},
      {"loki metadata", "/loki/api/v1/push",
       R"({"streams":[{"stream":{"app":"api"},"values":[["1773480378500000000","line",{"m":)" +
           deep + "}]]}]}",
       "application/json", 400, ""},
  };
  for (const Hostile& c : cases) {
    auto r = HttpCall(d.port(), "POST", c.target, c.body, {{"content-type", c.content_type}});
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    if (*c.error != '\0') {
      EXPECT_EQ(ErrorCodeOf(r), c.error) << c.name << ": " << r.body;
    }
    ASSERT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200) << "daemon down after " << c.name;
  }

  // One NDJSON record nested too deep is an invalid line: refused, or skipped and counted
  // when skip_invalid_lines is on; never parsed.
  auto nd = HttpCall(d.port(), "POST", "/ingest/logs",
                     std::string(R"({"log":"deep","x":)") + deep + "}\n",
                     {{"content-type", "application/x-ndjson"}});
  if (nd.status == 200) {
    EXPECT_EQ(json::parse(nd.body)["invalid_lines"], 1) << nd.body;
  } else {
    EXPECT_EQ(nd.status, 400) << nd.body;
    EXPECT_NE(nd.body.find("nested deeper than 64"), std::string::npos) << nd.body;
  }
  ASSERT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200);

  // A signed PagerDuty webhook with a deep custom field value: refused before it is parsed.
  const std::string pd =
      R"({"event":{"id":"01EVDEEP","event_type":"incident.custom_field_values.updated",)"
      R"("resource_type":"incident","occurred_at":"2026-03-14T09:38:00.000Z","data":{)"
      R"("incident":{"id":"Q1ABCDEF","type":"incident_reference"},"custom_fields":[{"id":"F",)"
      R"("value":)" +
      deep + "}]}}}";
  auto r = HttpCall(d.port(), "POST", "/webhooks/pagerduty", pd,
                    {{"content-type", "application/json"},
                     {"x-webhook-subscription", "PSUB1"},
                     {"x-pagerduty-signature", "v1=" + HmacSha256Hex(kSecret, pd)}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(ErrorCodeOf(r), "json_too_deep") << r.body;
  EXPECT_EQ(HttpCall(d.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(CountEvents(d.db_path()), 0u) << "a refused request stored something";
}

TEST(HostileInput, ValuesTheModelCannotHoldAreRefusedNotCoerced) {
  TempDir dir;
  Daemon d(dir);
  ASSERT_TRUE(d.started()) << ReadFile(d.log_path());
  const std::string head = R"({"source":"custom","source_ref":"r1","kind":"k","occurred_at":5,)";
  const std::string bodies[] = {
      head + R"("received_at":-1})",
      head + R"("received_at":-9223372036854775808})",
      head + R"("received_at":18446744073709551615})",
      head + R"("redactions":2147483648})",
  };
  for (const std::string& b : bodies) {
    auto r =
        HttpCall(d.port(), "POST", "/ingest/events", b, {{"content-type", "application/json"}});
    EXPECT_EQ(r.status, 400) << b << " -> " << r.body;
  }
  EXPECT_EQ(CountEvents(d.db_path()), 0u);

  // A text log line that is not UTF-8 is stored with U+FFFD, the same string everywhere.
  auto t =
      HttpCall(d.port(), "POST", "/ingest/logs?namespace=payments&app=api",
               "2026-03-14T09:00:00Z ERROR caf\xe9 failed\n", {{"content-type", "text/plain"}});
  ASSERT_EQ(t.status, 200) << t.body;
  store::StoreOptions o;
  o.path = d.db_path();
  auto st = store::SqliteEventStore::Open(o);
  ASSERT_TRUE(st.has_value());
  auto all = (*st)->QueryEvents(EventQuery{});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 1u);
  auto got = HttpCall(d.port(), "GET", "/v1/events/" + all->front().id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_NE(json::parse(got.body)["body"].get<std::string>().find("caf\xef\xbf\xbd failed"),
            std::string::npos)
      << got.body;
}

}  // namespace
}  // namespace timelined::testing
