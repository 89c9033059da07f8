// Permalink, ParseSlackTs and FindIncidentReferences (declared in message.h).
#include <algorithm>

#include "connectors/common/headers.h"
#include "connectors/slack/message.h"

namespace timelined::connectors::slack {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void AddUnique(std::vector<std::string>& out, std::string ref) {
  if (std::find(out.begin(), out.end(), ref) == out.end()) out.push_back(std::move(ref));
}

// The run of characters satisfying `pred` starting at `pos`.
template <typename Pred>
std::string_view RunAt(std::string_view text, size_t pos, Pred pred) {
  size_t end = pos;
  while (end < text.size() && pred(text[end])) ++end;
  return text.substr(pos, end - pos);
}

}  // namespace

std::string Permalink(std::string_view workspace, std::string_view channel, std::string_view ts,
                      std::string_view thread_ts) {
  while (!workspace.empty() && workspace.back() == '/') workspace.remove_suffix(1);
  if (workspace.empty() || channel.empty() || ts.empty()) return {};
  std::string url(workspace);
  url.append("/archives/").append(channel).append("/p");
  for (char c : ts) {
    if (c != '.') url += c;
  }
  if (!thread_ts.empty() && thread_ts != ts) {
    url.append("?thread_ts=").append(thread_ts).append("&cid=").append(channel);
  }
  return url;
}

std::optional<Nanos> ParseSlackTs(std::string_view ts) {
  size_t dot = ts.find('.');
  std::string_view sec = ts.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : ts.substr(dot + 1);
  bool digits = std::all_of(sec.begin(), sec.end(), IsDigit) &&
                std::all_of(frac.begin(), frac.end(), IsDigit);
  if (sec.empty() || sec.size() > 11 || !digits || frac.size() > 9) return std::nullopt;
  if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
  Nanos seconds = 0;
  for (char c : sec) seconds = seconds * 10 + (c - '0');
  Nanos nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return SecondsToNanos(seconds, nanos);  // 11 digits of seconds go past 2262, the end of Nanos
}

std::vector<std::string> FindIncidentReferences(std::string_view text) {
  static constexpr std::string_view kMarker = "pagerduty.com/incidents/";
  std::vector<std::string> out;
  std::string lower = ToLowerAscii(text);
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::string_view(lower).substr(i, kMarker.size()) == kMarker && i > 0 &&
        (lower[i - 1] == '.' || lower[i - 1] == '/')) {
      std::string_view id = RunAt(text, i + kMarker.size(), IsAlnum);
      if (!id.empty()) AddUnique(out, "id:" + std::string(id));
      i += kMarker.size() + id.size() - 1;
      continue;
    }
    if (text[i] != '#') continue;
    char prev = i > 0 ? text[i - 1] : ' ';
    if (IsAlnum(prev) || prev == '&' || prev == '/' || prev == '_' || prev == '#') continue;
    std::string_view number = RunAt(text, i + 1, IsDigit);
    size_t after = i + 1 + number.size();
    bool word_continues = after < text.size() && (IsAlnum(text[after]) || text[after] == '_');
    if (number.empty() || number.size() > 10 || word_continues) continue;
    number.remove_prefix(std::min(number.find_first_not_of('0'), number.size() - 1));
    AddUnique(out, "number:" + std::string(number));
  }
  return out;
}

}  // namespace timelined::connectors::slack
