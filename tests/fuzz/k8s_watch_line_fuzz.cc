// A Kubernetes watch stream (?watch=1, one JSON object per line) handled line by line the
// way Watcher::HandleLine does (connectors/kubernetes/watcher.cc): parse the line, find the
// exact text of "object" with the structural scanner, ParseEventObject on ADDED/MODIFIED.
#include <nlohmann/json.hpp>

#include "connectors/common/json_text.h"
#include "connectors/kubernetes/event_parser.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using namespace timelined::connectors;

void HandleLine(std::string_view line) {
  while (!line.empty() && IsJsonSpace(line.front())) line.remove_prefix(1);
  while (!line.empty() && IsJsonSpace(line.back())) line.remove_suffix(1);
  if (line.empty()) return;
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("object") || !j["object"].is_object()) {
    return;
  }
  const auto& obj = j["object"];
  const auto type =
      j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : std::string();
  if ((type == "ADDED" || type == "MODIFIED") && !kubernetes::ObjectUid(obj).empty()) {
    (void)kubernetes::OccurrenceCount(obj);
    auto span = ObjectMemberSpan(line, {0, line.size()}, "object");
    (void)kubernetes::ParseEventObject(obj, span ? span->In(line) : "",
                                       timelined::fuzz::kReceivedAt);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest = timelined::fuzz::AsText(data, size);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    HandleLine(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return 0;
}
