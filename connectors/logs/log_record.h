#pragma once
// Shared by the log parsers (log_parser.cc, loki.cc): a decoded log record and how it
// becomes an Event. Pure, thread-safe.
//
// Labels identify the stream a line came from. For JSON records they are normalised from
// the shippers' fields (record value wins over query parameters):
//   namespace  kubernetes.namespace_name (Fluent Bit) | kubernetes.pod_namespace (Vector)
//              | namespace
//   pod        kubernetes.pod_name | pod;  container  kubernetes.container_name | container
//   app        kubernetes.labels.app | kubernetes.labels["app.kubernetes.io/name"]
//              | kubernetes.pod_labels.app | …pod_labels["app.kubernetes.io/name"] | app
//   service    service | service_name;   job  job;   stream  stream
//   host       kubernetes.host | kubernetes.pod_node_name | host | hostname
// Loki streams use their own labels as given.
//
// Scope rule: "log/<namespace>/<workload>", "_" for an unknown part, where
//   namespace = namespace | k8s_namespace_name | namespace_name
//   workload  = app | app_kubernetes_io_name | service | service_name | container
//               | DeriveWorkload("Pod", pod) | job
// ('/' inside a part becomes '_', parts are cut at 253 bytes).
//
// source_ref = "<labels>|<occurred_at ns>|<sha256 hex of the message>", where <labels> is
// {k="v",…} sorted by key (or "sha256:<hex>" of it when over 1 KiB). A record without a
// usable time (occurred_at = received_at) also gets "|<ordinal>" so identical lines in
// one batch stay distinct. Same line re-sent -> same ID; same text at another time -> new ID.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/logs/log_parser.h"
#include "store/model/event.h"

namespace timelined::connectors::logs {

using Labels = std::map<std::string, std::string>;

struct LogRecord {
  Labels labels;
  std::string message;
  std::optional<Nanos> time;         // nullopt -> received_at, attrs.time_missing
  std::optional<std::string> level;  // normalised; nullopt -> detected in the message
  nlohmann::json extra = nlohmann::json::object();  // merged into attrs
  std::string_view raw;                             // exact bytes of the record as received
  size_t ordinal = 0;                               // 1-based position in the batch
};

Labels LabelsFromRecord(const nlohmann::json& record, const Labels& query_labels);
std::string WorkloadFromLabels(const Labels& labels);
std::string ScopeFromLabels(const Labels& labels);
std::string LabelsKey(const Labels& labels);

Event MakeLogEvent(const LogRecord& record, const LogOptions& options, Nanos received_at);

// A private key split over consecutive records of one stream (same labels) in a batch,
// typically a PEM key pushed as text/plain (one event per line): redacts the block as a
// whole with RedactPemAcrossLines (store/model/redactor.h) over the events' bodies, and
// rebuilds the summary of each event changed (redactions + 1). IDs, source_ref and
// raw_sha256 stay those of the original lines, so a re-sent batch still dedupes. The
// per-event redactor at ingest then sees only markers.
void RedactSplitPrivateKeys(std::vector<Event>& events, const LogOptions& options);

}  // namespace timelined::connectors::logs
