#include "connectors/kubernetes/kubectl_import.h"

#include <gtest/gtest.h>

#include <set>

#include "connectors/kubernetes/event_parser.h"
#include "store/model/hash.h"
#include "tests/unit/connectors/kubernetes/fixture_util.h"

namespace timelined::connectors::kubernetes {
namespace {

using testing::ReadFixture;

constexpr Nanos kReceived = 1773480000LL * kNanosPerSecond;

std::vector<std::string> Refs(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.source_ref);
  return out;
}

const std::string kBackoff37 = "e7a3c1d2-6b4f-4e8a-9f0b-1c2d3e4f5a61:37";
const std::string kBackoff36 = "e7a3c1d2-6b4f-4e8a-9f0b-1c2d3e4f5a61:36";
const std::string kScale = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f:1";
const std::string kSched = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d:4";

TEST(KubectlImport, FormatTable) {
  struct Case {
    const char* file;
    std::vector<std::string> refs;
  };
  const Case cases[] = {
      // (a) kubectl get events -o json
      {"kubectl_list.json", {kScale, kBackoff37, kSched}},
      // (b) kubectl get events -w -o json: the repeat of count 37 collapses
      {"kubectl_watch.txt", {kScale, kBackoff36, kBackoff37}},
      // (b) with --output-watch-events: DELETED produces nothing
      {"kubectl_watch_events.txt", {kScale, kBackoff36, kBackoff37}},
      // (c) a single Event object
      {"core_v1_backoff.json", {kBackoff37}},
      // (d) raw watch NDJSON: BOOKMARK, DELETED and ERROR produce nothing
      {"watch_stream.ndjson", {kScale, kBackoff37, kSched}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    auto events = ParseKubectlJson(ReadFixture(std::string("kubernetes/") + c.file), kReceived);
    ASSERT_TRUE(events.has_value()) << events.error().detail;
    EXPECT_EQ(Refs(*events), c.refs);
    for (const Event& e : *events) EXPECT_TRUE(ValidateEvent(e).has_value());
  }
}

TEST(KubectlImport, RawHashIsTheItemTextNotTheWholeDocument) {
  const std::string text = ReadFixture("kubernetes/kubectl_list.json");
  auto events = ParseKubectlJson(text, kReceived);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 3u);
  // The second item is the BackOff object; re-hash its exact text from the file.
  const size_t begin =
      text.find("        {\n            \"apiVersion\": \"v1\",\n            \"count\": 37");
  ASSERT_NE(begin, std::string::npos);
  const size_t start = begin + 8;
  const size_t end = text.find("\n        }", start) + 10;
  EXPECT_EQ(events->at(1).raw_sha256, Sha256Hex(text.substr(start, end - start)));
}

TEST(KubectlImport, SameIdsAsTheSingleObjectParser) {
  auto listed = ParseKubectlJson(ReadFixture("kubernetes/kubectl_list.json"), kReceived);
  auto single = ParseKubectlJson(ReadFixture("kubernetes/core_v1_backoff.json"), kReceived);
  ASSERT_TRUE(listed && single);
  EXPECT_EQ(listed->at(1).id, single->at(0).id);
}

TEST(KubectlImport, EmptyInputGivesNoEvents) {
  for (const char* text : {"", "  \n\t", "\xEF\xBB\xBF\n"}) {
    auto events = ParseKubectlJson(text, kReceived);
    ASSERT_TRUE(events.has_value());
    EXPECT_TRUE(events->empty());
  }
}

TEST(KubectlImport, ErrorsNameTheBadDocument) {
  const std::string good = ReadFixture("kubernetes/core_v1_backoff.json");
  struct Case {
    std::string text;
    std::string detail_prefix;
  };
  const Case cases[] = {
      {good + "{\"kind\": \"Event\", \"metadata\": {\"uid\": \"x\"", "document 2 (offset "},
      {good + "\n{\"kind\": \"Event\", \"metadata\": tru}", "document 2 (offset "},
      {"{\"kind\":\"Pod\",\"metadata\":{\"uid\":\"p\"}}", "document 1 (offset 0, line 1): "},
      {"[1,2]", "document 1 (offset 0, line 1): not a JSON object"},
      {"garbage", "document 1 (offset 0, line 1): invalid JSON"},
      {"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"Event\",\"metadata\":"
       "{\"uid\":\"a\"}},{\"kind\":\"Event\",\"metadata\":{}}]}",
       "document 1 (offset 0, line 1): item 2: missing metadata.uid"},
      {"{\"type\":\"ADDED\",\"object\":{\"kind\":\"Event\"}}", "document 1 (offset 0, line 1): "},
      {"{\"type\":\"WHAT\",\"object\":{}}", "document 1 (offset 0, line 1): unknown watch event"},
  };
  for (const Case& c : cases) {
    auto events = ParseKubectlJson(c.text, kReceived);
    ASSERT_FALSE(events.has_value()) << c.text;
    EXPECT_EQ(events.error().code, ErrorCode::kInvalidInput);
    EXPECT_TRUE(events.error().detail.starts_with(c.detail_prefix)) << events.error().detail;
  }
  // The offset and line of the second document are those of its first byte.
  auto bad = ParseKubectlJson(good + "{]", kReceived);
  ASSERT_FALSE(bad.has_value());
  const std::string expected = "document 2 (offset " + std::to_string(good.size()) + ", line " +
                               std::to_string(std::count(good.begin(), good.end(), '\n') + 1) +
                               "): invalid JSON";
  EXPECT_EQ(bad.error().detail, expected);
}

TEST(KubectlImport, DocumentsWithoutSeparators) {
  // json_stream-like "}{" concatenation also works.
  const std::string a = R"({"kind":"Event","metadata":{"uid":"a"},"reason":"X"})";
  const std::string b =
      R"({"kind":"Event","metadata":{"uid":"b","name":"has } and { in \"it\""},"reason":"Y"})";
  auto events = ParseKubectlJson(a + b, kReceived);
  ASSERT_TRUE(events.has_value()) << events.error().detail;
  EXPECT_EQ(Refs(*events), (std::vector<std::string>{"a:1", "b:1"}));
  EXPECT_EQ(events->at(1).raw_sha256, Sha256Hex(b));
}

}  // namespace
}  // namespace timelined::connectors::kubernetes
