#pragma once
// The event model: every piece of evidence is one Event; PagerDuty incidents are Incident
// rows. See the "Events and their identity" section of the design and store/README.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/time.h"

namespace timelined {

// How every redaction marker starts: "[REDACTED:<type>]" (store/model/redactor.h).
inline constexpr std::string_view kRedactionMarkerPrefix = "[REDACTED:";

// Known sources and their two-letter ID prefixes.
inline constexpr std::string_view kSourcePagerDuty = "pagerduty";    // pd_
inline constexpr std::string_view kSourceSlack = "slack";            // sl_
inline constexpr std::string_view kSourceKubernetes = "kubernetes";  // k8_
inline constexpr std::string_view kSourceLog = "log";                // lg_
// Any other source (accepted by the generic /ingest/events route) gets the prefix "ev".

// Severity levels, ordered. Stored as their names.
inline constexpr std::string_view kSeverityInfo = "info";
inline constexpr std::string_view kSeverityWarning = "warning";
inline constexpr std::string_view kSeverityError = "error";
inline constexpr std::string_view kSeverityCritical = "critical";

struct Event {
  std::string id;           // citation ID, see MakeEventId
  std::string source;       // pagerduty | slack | kubernetes | log | other [a-z0-9_]+
  std::string source_ref;   // the native upstream key
  std::string kind;         // incident.triggered, slack.message, k8s.BackOff, log.error, ...
  Nanos occurred_at = 0;    // when it happened upstream
  Nanos received_at = 0;    // when timelined received it
  std::string incident_id;  // set when the source names the incident
  std::string scope;        // what correlation keys on otherwise
  std::string severity = std::string(kSeverityInfo);
  std::string actor;
  std::string summary;
  std::string body;
  std::string url;
  nlohmann::json attrs = nlohmann::json::object();  // source-specific, always an object
  std::string raw_sha256;  // hex SHA-256 of the bytes received, before redaction
  int redactions = 0;      // how many values the redactor replaced

  // Set by the store when the event is written; not part of the canonical JSON.
  int64_t seq = 0;    // store order, 1-based
  std::string chain;  // hex sha256(previous chain || canonical JSON)

  bool operator==(const Event&) const = default;
};

// "<src>_<16 lowercase base32 chars of sha256(source "\0" source_ref)>".
std::string MakeEventId(std::string_view source, std::string_view source_ref);
// "pd", "sl", "k8", "lg" or "ev".
std::string_view SourcePrefix(std::string_view source);
// Syntactic check of an ID: prefix, underscore, 16 chars of [a-z2-7].
bool IsValidEventId(std::string_view id);

// The canonical JSON of an event: every field but seq and chain, keys sorted, no
// whitespace, UTF-8 kept as is. Stable across versions: it is what the chain hashes.
std::string CanonicalJson(const Event& e);
// The same, given `attrs_json` = e.attrs already serialised (dump() with invalid UTF-8
// replaced, as the attrs column stores it), so a writer that needs both does it once.
std::string CanonicalJson(const Event& e, std::string_view attrs_json);
// chain_n = hex sha256(chain_{n-1} || canonical JSON); the first event uses "" as previous.
std::string ChainHash(std::string_view previous_chain, const Event& e);

// The API form of an event: the canonical fields plus seq and chain when set, times as
// int64 ns and also as RFC 3339 strings ("occurred_at_rfc3339").
nlohmann::json EventToJson(const Event& e);

// Reads an event in the model's JSON form (what /ingest/events accepts). Required:
// source, source_ref, kind, occurred_at (int ns or RFC 3339 string). Optional: the rest.
// If "id" is given it must equal MakeEventId(source, source_ref). Never throws.
// The result has passed ValidateEvent.
Result<Event> EventFromJson(const nlohmann::json& j);

// EventFromJson without the final ValidateEvent, for a caller that validates the event
// itself later: /ingest/events hands events to the ingest pipeline, which redacts and then
// validates them before it acknowledges anything, so validating here too would run the
// same checks (and the id's SHA-256) twice per event.
Result<Event> ParseEventJson(const nlohmann::json& j);

// Checks the invariants every stored event must hold (id matches source/source_ref,
// known severity, attrs is an object, bounded field sizes, every string and attrs key
// valid UTF-8, attrs nested at most kMaxAttrsDepth, finite numbers, received_at >= 0).
// The ingest pipeline runs it before it acknowledges anything, so whatever is answered
// 2xx is also accepted by the store and by the Kafka consumer (one rule, one place).
// One exception to "id matches": ingest derives the id from the original source_ref and
// then redacts the event (a secret in a log label lands in source_ref), so an event whose
// source_ref contains kRedactionMarkerPrefix only needs an id that is valid
// (IsValidEventId) and carries its source's prefix.
Result<void> ValidateEvent(const Event& e);

struct Incident {
  std::string id;  // PagerDuty incident id, e.g. "Q1ABCDEF"
  int64_t number = 0;
  std::string title;
  std::string service_id;
  std::string service_name;
  std::string urgency;   // high | low
  std::string priority;  // "P1" or ""
  std::string status;    // triggered | acknowledged | resolved
  std::vector<std::string> assignees;
  std::string html_url;
  Nanos triggered_at = 0;  // 0 = unknown
  Nanos acknowledged_at = 0;
  Nanos resolved_at = 0;
  Nanos reopened_at = 0;
  Nanos updated_at = 0;  // occurred_at of the last event applied

  bool operator==(const Incident&) const = default;
};

nlohmann::json IncidentToJson(const Incident& i);
Result<Incident> IncidentFromJson(const nlohmann::json& j);

}  // namespace timelined

namespace timelined {
// The incident snapshot a PagerDuty event carries in attrs["incident"] (IncidentToJson
// form), or nullopt. Connectors put it there; the store merges it into the incidents row.
std::optional<Incident> IncidentFromEvent(const Event& e);
// Merges `update` (derived from an event of kind `kind` at time `at`) into `current`.
// Lifecycle timestamps: triggered = earliest seen; acknowledged/resolved/reopened = the
// latest transition of that kind; descriptive fields and status follow the newest event
// (by occurred_at), so out-of-order delivery converges to the same row.
void MergeIncident(Incident& current, const Incident& update, std::string_view kind, Nanos at);
}  // namespace timelined
