#include "connectors/logs/gunzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "connectors/logs/log_parser.h"

namespace timelined::connectors::logs {
namespace {

// gzip-compresses `data` with zlib (the test's own encoder).
std::string Gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

TEST(Gunzip, RoundTrip) {
  const std::string ndjson =
      "{\"date\":1773480070.5,\"log\":\"ERROR boom\"}\n{\"date\":1773480071.5,\"log\":\"ok\"}\n";
  auto plain = Gunzip(Gzip(ndjson), 1 << 20);
  ASSERT_TRUE(plain.has_value()) << plain.error().detail;
  EXPECT_EQ(*plain, ndjson);
  auto parsed = ParseLogBody(*plain, "application/x-ndjson", {}, {}, 1);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->events.size(), 2u);
}

TEST(Gunzip, LargeOutputAcrossManyChunks) {
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "line " + std::to_string(i) + "\n";
  auto plain = Gunzip(Gzip(big), big.size());
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, big);
  // One byte less than needed is too large.
  auto capped = Gunzip(Gzip(big), big.size() - 1);
  ASSERT_FALSE(capped.has_value());
  EXPECT_EQ(capped.error().code, ErrorCode::kTooLarge);
}

TEST(Gunzip, BombIsStoppedAtTheCap) {
  const std::string zeros(64 << 20, '\0');  // 64 MiB -> ~64 KiB compressed
  const std::string bomb = Gzip(zeros, Z_BEST_COMPRESSION);
  ASSERT_LT(bomb.size(), 200u << 10);
  auto r = Gunzip(bomb, 1 << 20);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.error().message, "body_too_large");
}

TEST(Gunzip, ConcatenatedMembers) {
  auto r = Gunzip(Gzip("first\n") + Gzip("second\n"), 1024);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "first\nsecond\n");
}

TEST(Gunzip, CorruptTruncatedAndNotGzip) {
  const std::string good = Gzip("some log line\n");
  std::string corrupt = good;
  corrupt[corrupt.size() / 2] ^= 0x55;
  corrupt[corrupt.size() / 2 + 1] ^= 0x55;
  const std::string cases[] = {corrupt, good.substr(0, good.size() - 6), "{\"log\":\"x\"}",
                               std::string(), good + "garbage"};
  for (const std::string& c : cases) {
    auto r = Gunzip(c, 1 << 20);
    ASSERT_FALSE(r.has_value()) << c.size();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(r.error().message, "invalid_gzip");
  }
}

}  // namespace
}  // namespace timelined::connectors::logs
