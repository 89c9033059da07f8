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
  std::string incident_id;   // events naming this incident, or
  std::string scope;         // events with exactly this scope
  std::string scope_prefix;  // or scope starting with this (e.g. "k8s/payments/")
  Nanos from = 0;            // occurred_at >= from (0 = unbounded)
  Nanos to = 0;              // occurred_at <= to   (0 = unbounded)
  size_t limit = 0;          // 0 = no limit
};

// A Slack thread or channel bound to an incident (the store's `bindings` table). Events in
// a bound thread or channel belong to the incident even when they were stored before the
// binding existed (and so carry no incident_id).
struct Binding {
  std::string kind;  // kBindingSlackThread | kBindingSlackChannel
  std::string key;   // "<channel>:<thread_ts>" | "<channel>"
  std::string incident_id;
  Nanos created_at = 0;

  bool operator==(const Binding&) const = default;
};
inline constexpr const char* kBindingSlackThread = "slack_thread";
inline constexpr const char* kBindingSlackChannel = "slack_channel";

class EventReader {
 public:
  virtual ~EventReader() = default;
  virtual Result<std::optional<Event>> GetEvent(const std::string& id) const = 0;
  // Calls `fn` for each matching event in (occurred_at, id) order; stops early if `fn`
  // returns false. Streams: does not hold the whole result in memory.
  virtual Result<void> ForEachEvent(const EventQuery& q,
                                    const std::function<bool(const Event&)>& fn) const = 0;
  virtual Result<std::optional<Incident>> GetIncident(const std::string& id) const = 0;
  // The bindings of an incident, ordered by (kind, key). Readers without bindings return
  // none (the default), so correlation falls back to named and scoped events.
  virtual Result<std::vector<Binding>> GetBindings(const std::string& incident_id) const;

  // Convenience: collects ForEachEvent.
  Result<std::vector<Event>> QueryEvents(const EventQuery& q) const;
};

}  // namespace timelined
