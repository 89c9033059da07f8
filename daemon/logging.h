#pragma once
// Logging set-up: spdlog to stderr, text or one JSON object per line. Never pass request
// bodies or secrets to a logger.
//
// Context goes at the front of a message as `[key=value]` tags, e.g.
//   spdlog::warn("[src=pagerduty] [inc={}] backfill failed: {}", id, why);
// Text logs print them as written; JSON logs lift each leading tag into a field of its own:
//   {"time":"…","level":"warn","src":"pagerduty","inc":"P1","msg":"backfill failed: …"}
// Keys are [a-z_]+ and values hold no ']' (LogTagValue makes any text safe to use as one).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace timelined::daemon {

// level: trace|debug|info|warn|error; format: text|json.
void SetUpLogging(const std::string& level, const std::string& format);

// The leading `[key=value]` tags of `msg` (each followed by one space or the end), and the
// text after them. A key a tag repeats, or one of time/level/msg, stays in the text.
struct LogTags {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  std::string_view rest;
};
LogTags SplitLogTags(std::string_view msg);

// `v` as a tag value: at most `max` bytes, printable ASCII without '[' or ']' (others
// become '?'), "-" when empty. For values that come from a request (peer, request id).
std::string LogTagValue(std::string_view v, size_t max = 64);

}  // namespace timelined::daemon
