#include "connectors/logs/log_time.h"

#include <gtest/gtest.h>

#include <limits>

namespace timelined::connectors::logs {
namespace {

using nlohmann::json;

constexpr Nanos kSecond = kNanosPerSecond;

TEST(LogTime, EpochByMagnitudePicksTheUnit) {
  EXPECT_EQ(EpochByMagnitude(1710408370), 1710408370 * kSecond);
  EXPECT_EQ(EpochByMagnitude(1710408370482), 1710408370482 * 1'000'000);
  EXPECT_EQ(EpochByMagnitude(1710408370482913), 1710408370482913 * 1'000);
  EXPECT_EQ(EpochByMagnitude(1710408370482913000), 1710408370482913000);
  EXPECT_EQ(EpochByMagnitude(0), std::nullopt);
  EXPECT_EQ(EpochByMagnitude(-5), std::nullopt);
}

// Each unit's range goes past 2262, where Nanos ends: such a value is not a time. It used to
// be multiplied anyway (a signed overflow, a wrapped-around time).
TEST(LogTime, EpochByMagnitudePastNanosIsNoTime) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(EpochByMagnitude(max / kSecond), (max / kSecond) * kSecond);  // 2262-04-11
  EXPECT_EQ(EpochByMagnitude(max / kSecond + 1), std::nullopt);
  EXPECT_EQ(EpochByMagnitude(17734280070), std::nullopt);  // seconds, year 2531
  EXPECT_EQ(EpochByMagnitude(99'999'999'999), std::nullopt);
  EXPECT_EQ(EpochByMagnitude(max / 1'000'000 + 1), std::nullopt);  // milliseconds
  EXPECT_EQ(EpochByMagnitude(99'999'999'999'999), std::nullopt);
  EXPECT_EQ(EpochByMagnitude(max / 1'000 + 1), std::nullopt);  // microseconds
  EXPECT_EQ(EpochByMagnitude(max), max);                       // nanoseconds: always fits
}

TEST(LogTime, FractionalSecondsPastNanosAreNoTime) {
  // The input the http_request fuzzer found, as Fluent Bit's json_date_format double.
  EXPECT_EQ(ParseLogTime(json(17734280070.482913)), std::nullopt);
  // The last representable second: its first half still fits, its end does not.
  EXPECT_EQ(ParseLogTime(json(9223372036.5)), 9'223'372'036'500'000'000);
  EXPECT_EQ(ParseLogTime(json(9223372036.9)), std::nullopt);
  EXPECT_EQ(ParseLogTime(json(99999999999.9)), std::nullopt);
  const auto t = ParseLogTime(json(1710408370.482913));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1710408370 * kSecond + 482913 * 1'000);
  EXPECT_EQ(ParseLogTime(json(17734280070)), std::nullopt);
  EXPECT_EQ(ParseLogTimeString("17734280070"), std::nullopt);
  EXPECT_EQ(ParseLogTimeString("9223372037.1"), std::nullopt);
}

}  // namespace
}  // namespace timelined::connectors::logs
