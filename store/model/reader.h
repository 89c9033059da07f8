#pragma once
// The narrow read interface the summarizer and the API use. Implemented by the SQLite
// store; tests may implement it over a vector. All methods are safe from any thread.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"

namespace timelined {

struct EventQuery {
  std::string incident_id;  // events naming this incident, or
  std::string scope;        // events with exactly this scope
  std::string scope_prefix; // or scope starting with this (e.g. "k8s/payments/")
  Nanos from = 0;           // occurred_at >= from (0 = unbounded)
  Nanos to = 0;             // occurred_at <= to   (0 = unbounded)
  size_t limit = 0;         // 0 = no limit
};

class EventReader {
 public:
  virtual ~EventReader() = default;
  virtual Result<std::optional<Event>> GetEvent(const std::string& id) const = 0;
  // Calls `fn` for each matching event in (occurred_at, id) order; stops early if `fn`
  // returns false. Streams: does not hold the whole result in memory.
  virtual Result<void> ForEachEvent(const EventQuery& q,
                                    const std::function<bool(const Event&)>& fn) const = 0;
  virtual Result<std::optional<Incident>> GetIncident(const std::string& id) const = 0;

  // Convenience: collects ForEachEvent.
  Result<std::vector<Event>> QueryEvents(const EventQuery& q) const;
};

}  // namespace timelined
