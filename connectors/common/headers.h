#pragma once
// HTTP header maps shared by every connector. Names are stored lower-case (HTTP header
// names are case-insensitive); values are kept as received. Pure helpers, thread-safe.
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace timelined::connectors {

// Header name (lower-case) -> value. When a header repeats, callers keep the last value
// (or join with ", " when building from a parser that does so).
using Headers = std::map<std::string, std::string>;

// ASCII lower-casing; other bytes are kept.
std::string ToLowerAscii(std::string_view s);

// Builds a Headers map, lower-casing the names: MakeHeaders({{"X-Webhook-Id", "abc"}}).
Headers MakeHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> items);

// The value of header `name` (matched case-insensitively), or "" when absent.
std::string_view HeaderValue(const Headers& headers, std::string_view name);

// Removes ASCII whitespace (space, tab, CR, LF) at both ends.
std::string_view TrimAscii(std::string_view s);

}  // namespace timelined::connectors
