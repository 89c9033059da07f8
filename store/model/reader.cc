#include "store/model/reader.h"

namespace timelined {

Result<std::vector<Event>> EventReader::QueryEvents(const EventQuery& q) const {
  std::vector<Event> out;
  auto r = ForEachEvent(q, [&out](const Event& e) {
    out.push_back(e);
    return true;
  });
  if (!r) return std::unexpected(r.error());
  return out;
}

Result<std::vector<Binding>> EventReader::GetBindings(const std::string&) const {
  return std::vector<Binding>{};
}

}  // namespace timelined
