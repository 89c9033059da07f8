#include "connectors/common/event_limits.h"

#include "connectors/common/json_text.h"
#include "connectors/common/json_util.h"

namespace timelined::connectors {

void ClampEventFields(Event& e) {
  bool cut = false;
  auto clamp = [&cut](std::string& s, size_t max) {
    if (s.size() <= max) return;
    s = ElideUtf8(s, max);
    cut = true;
  };
  for (std::string* s : {&e.kind, &e.scope, &e.actor, &e.url, &e.incident_id, &e.summary}) {
    clamp(*s, kMaxShortFieldBytes);
  }
  clamp(e.body, kMaxBodyBytes);
  if (cut) e.attrs["truncated"] = true;
}

}  // namespace timelined::connectors
