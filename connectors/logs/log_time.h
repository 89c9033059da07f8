#pragma once
// Time values found in pushed log records, auto-detected. Pure, thread-safe.
//
//   JSON number with a fraction   epoch seconds (Fluent Bit json_date_format double);
//                                 rounded to the microsecond (a double holds no more)
//   JSON integer / digit string   epoch by magnitude: < 1e11 seconds, < 1e14 milliseconds,
//                                 < 1e17 microseconds, else nanoseconds
//   "1710408370.482913"           decimal string: epoch seconds, fraction kept exactly
//   RFC 3339 / ISO 8601 string    with 0-9 fraction digits and Z or +hh:mm; also without a
//                                 zone (taken as UTC) and with a space for "T", which
//                                 covers java_sql_timestamp "2018-05-30 09:39:52.000681"
// Anything else (negative, zero, bool, unparseable text, a time past 2262 that Nanos cannot
// hold) is nullopt.
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "store/model/time.h"

namespace timelined::connectors::logs {

std::optional<Nanos> ParseLogTime(const nlohmann::json& value);
std::optional<Nanos> ParseLogTimeString(std::string_view s);
// Integer epoch in s/ms/µs/ns chosen by magnitude; nullopt when <= 0 or past 2262.
std::optional<Nanos> EpochByMagnitude(int64_t v);

}  // namespace timelined::connectors::logs
