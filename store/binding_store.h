#pragma once
// BindingStore: what the Slack bindings need of the store — the Slack threads and channels
// bound to incidents (store/bindings.cc) and the incident lookups that resolve a binding —
// so that code depends on this, not on SqliteEventStore (which implements it).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/reader.h"  // Binding

namespace timelined::store {

struct BindingWrite {
  Binding stored;
  bool created = false;
};

class BindingStore {
 public:
  virtual ~BindingStore() = default;

  // Bindings are rare (an admin call, a thread root naming an incident), so AddBinding
  // writes on a short-lived connection of its own, not through the event writer: one
  // IMMEDIATE transaction inserting the binding unless (kind, key) exists, plus an audit
  // row (action "bind", `actor`, subject = incident). Returns the binding stored for
  // (kind, key) — `b` itself when created, else the existing one, which may name another
  // incident — and whether it was created. kInvalidInput for an empty kind, key or
  // incident_id; kUnavailable when the database stays locked for `busy_timeout_ms` (the
  // caller's budget: an admin call can wait seconds, a Slack delivery not past its deadline).
  virtual Result<BindingWrite> AddBinding(const Binding& b, std::string_view actor,
                                          int busy_timeout_ms) = 0;
  virtual Result<std::vector<Binding>> ListBindings() const = 0;  // every binding, by (kind, key)
  virtual Result<std::optional<Incident>> GetIncident(const std::string& id) const = 0;
  // The incident with this PagerDuty number (the most recently updated if several).
  virtual Result<std::optional<Incident>> FindIncidentByNumber(int64_t number) const = 0;
  // The most recently triggered open (triggered or acknowledged) incident whose
  // service_id or service_name is `service`.
  virtual Result<std::optional<Incident>> FindOpenIncidentOfService(
      const std::string& service) const = 0;
};

}  // namespace timelined::store
