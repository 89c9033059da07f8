// Suggested test for tests/unit/model/ alongside canonical_fast.patch: the
// direct writer must produce exactly the bytes of the json-object form,
// including escapes and invalid UTF-8 (replaced with U+FFFD as nlohmann's
// error_handler_t::replace does).
#include <gtest/gtest.h>

#include <random>

#include "store/model/event.h"

namespace timelined {
namespace {

std::string ObjectForm(const Event& e) {
  nlohmann::json j = EventToJson(e);
  for (const char* k : {"occurred_at_rfc3339", "received_at_rfc3339", "seq", "chain"}) j.erase(k);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(CanonicalJsonTest, DirectWriterMatchesTheJsonObjectFormByteForByte) {
  const std::string pieces[] = {"a",    " ",        "\"",           "\\",
                                "\n",   "\t",       "\x01",         "\x1f",
                                "\x7f", "\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x94\xa5",
                                "\xff", "\xc3",     "\xed\xa0\x80", "\xc0\xaf",
                                "/",    "\x08",     "\x0c",         "\r",
                                "\x80"};
  std::mt19937_64 rng(7);
  auto text = [&](int max_pieces) {
    std::string s;
    for (int n = static_cast<int>(rng() % max_pieces); n > 0; --n)
      s += pieces[rng() % std::size(pieces)];
    return s;
  };
  for (int i = 0; i < 20000; ++i) {
    Event e;
    e.source = text(4);
    e.source_ref = text(10);
    e.id = text(6);
    e.kind = text(5);
    e.occurred_at = static_cast<Nanos>(rng());
    e.received_at = -static_cast<Nanos>(rng() % 1000);
    e.incident_id = text(3);
    e.scope = text(8);
    e.severity = text(3);
    e.actor = text(5);
    e.summary = text(20);
    e.body = text(40);
    e.url = text(6);
    e.raw_sha256 = text(3);
    e.redactions = static_cast<int>(rng() % 5) - 2;
    e.attrs = {{text(3), text(4)}, {"n", static_cast<int64_t>(rng())}, {"f", 0.1 * (rng() % 100)}};
    ASSERT_EQ(CanonicalJson(e), ObjectForm(e)) << "case " << i;
  }
}

}  // namespace
}  // namespace timelined
