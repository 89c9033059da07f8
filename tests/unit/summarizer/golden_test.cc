// Whole drafts compared byte for byte with tests/fixtures/summarizer/<case>.expected.{md,json}.
// UPDATE_GOLDEN=1 rewrites the expected files (review the diff by eye before accepting).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "summarizer/draft.h"
#include "summarizer/verify.h"
#include "test_util.h"

namespace timelined::summarizer {
namespace {

std::string FixturePath(const std::string& name) {
  return std::string(TIMELINED_FIXTURES) + "/summarizer/" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Case {
  Incident incident;
  SummarizerConfig config;
  DraftMeta meta;
  Nanos now = 0;
  std::vector<Event> events;
};

Case LoadCase(const std::string& name) {
  Case c;
  auto j = nlohmann::json::parse(ReadFile(FixturePath(name + ".json")), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << name;
  if (j.is_discarded()) return c;
  auto inc = IncidentFromJson(j["incident"]);
  EXPECT_TRUE(inc);
  if (inc) c.incident = *inc;
  auto config = SummarizerConfigFromJson(j["config"]);
  EXPECT_TRUE(config);
  if (config) c.config = *config;
  c.meta.version = j["meta"]["version"].get<int>();
  c.meta.trigger = j["meta"]["trigger"].get<std::string>();
  c.now = ParseRfc3339(j["now"].get<std::string>()).value_or(0);
  for (const auto& ej : j["events"]) {
    auto e = EventFromJson(ej);
    EXPECT_TRUE(e) << (e ? "" : e.error().detail) << " " << ej.dump();
    if (e) c.events.push_back(*e);
  }
  return c;
}

void ExpectGolden(const std::string& path, const std::string& actual) {
  const char* update = std::getenv("UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path;
  }
  std::string expected = ReadFile(path);
  if (expected == actual) return;
  // Report the first differing line rather than two whole documents.
  std::istringstream e(expected), a(actual);
  std::string el, al;
  int n = 0;
  while (true) {
    ++n;
    bool more_e = static_cast<bool>(std::getline(e, el));
    bool more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) break;
    if (el != al || more_e != more_a) break;
  }
  ADD_FAILURE() << "golden mismatch: " << path << " line " << n << "\n  expected: " << el
                << "\n  actual:   " << al << "\n(UPDATE_GOLDEN=1 rewrites it; review the diff)";
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, DraftMatchesExpectedBytes) {
  Case c = LoadCase(GetParam());
  ASSERT_FALSE(c.events.empty());
  testing::VectorReader reader(c.events);
  auto d = BuildDraft(c.incident, c.config, reader, c.meta, c.now);
  ASSERT_TRUE(d) << d.error().detail;
  auto again = BuildDraft(c.incident, c.config, reader, c.meta, c.now);
  ASSERT_TRUE(again);
  EXPECT_EQ(d->markdown, again->markdown);
  EXPECT_EQ(d->json, again->json);
  auto cited = CitationsOfJson(d->json);
  ASSERT_TRUE(cited);
  EXPECT_EQ(*cited, d->cited_ids);
  auto v = VerifyMarkdown(d->markdown, reader, &*cited);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok()) << FormatVerifyReport(*v);
  ExpectGolden(FixturePath(GetParam() + ".expected.json"), d->json);
  ExpectGolden(FixturePath(GetParam() + ".expected.md"), d->markdown);
}

INSTANTIATE_TEST_SUITE_P(Summarizer, Golden, ::testing::Values("payments_bad_deploy"));

}  // namespace
}  // namespace timelined::summarizer
