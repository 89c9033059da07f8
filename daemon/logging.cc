#include "daemon/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace timelined::daemon {
namespace {

bool IsKeyChar(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

void AppendJsonString(std::string_view s, spdlog::memory_buf_t& dest) {
  std::string q =
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  dest.append(q.data(), q.data() + q.size());
}

// %j: the message's tags as fields, then "msg" (JSON strings, quoted and escaped).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    LogTags tags = SplitLogTags(std::string_view(msg.payload.data(), msg.payload.size()));
    for (const auto& [key, value] : tags.fields) {
      AppendJsonString(key, dest);
      dest.push_back(':');
      AppendJsonString(value, dest);
      dest.push_back(',');
    }
    static constexpr std::string_view kMsg = "\"msg\":";
    dest.append(kMsg.data(), kMsg.data() + kMsg.size());
    AppendJsonString(tags.rest, dest);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

LogTags SplitLogTags(std::string_view msg) {
  LogTags out;
  std::string_view s = msg;
  while (s.size() >= 4 && s.front() == '[') {
    size_t k = 1;
    while (k < s.size() && IsKeyChar(s[k])) ++k;
    if (k == 1 || k >= s.size() || s[k] != '=') break;
    size_t close = s.find(']', k);
    if (close == std::string_view::npos) break;
    if (close + 1 < s.size() && s[close + 1] != ' ') break;
    std::string_view key = s.substr(1, k - 1);
    if (key == "time" || key == "level" || key == "msg") break;
    bool repeated = false;
    for (const auto& f : out.fields) repeated = repeated || f.first == key;
    if (repeated) break;
    out.fields.emplace_back(key, s.substr(k + 1, close - k - 1));
    s.remove_prefix(std::min(close + 2, s.size()));
  }
  out.rest = s;
  return out;
}

std::string LogTagValue(std::string_view v, size_t max) {
  std::string out;
  for (char c : v.substr(0, max)) {
    out.push_back(c >= 0x21 && c <= 0x7e && c != '[' && c != ']' ? c : '?');
  }
  return out.empty() ? "-" : out;
}

void SetUpLogging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("timelined");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%j})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
}

}  // namespace timelined::daemon
