// One Kubernetes Event object (JSON text) -> ParseEventObject
// (connectors/kubernetes/event_parser.h), as the watcher and LIST pages call it.
#include <nlohmann/json.hpp>

#include "connectors/kubernetes/event_parser.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace timelined::connectors::kubernetes;
  const auto text = timelined::fuzz::AsText(data, size);
  const auto obj = nlohmann::json::parse(text, nullptr, false);
  if (obj.is_discarded()) return 0;
  (void)ParseEventObject(obj, text, timelined::fuzz::kReceivedAt);
  (void)ParseEventObject(obj, "", timelined::fuzz::kReceivedAt);  // hashes the dump instead
  (void)OccurrenceCount(obj);
  (void)ObjectUid(obj);
  return 0;
}
