#pragma once
// Pure parser: one Kubernetes Event object (core/v1 or events.k8s.io/v1 shape) -> timelined
// Events. No I/O, no clock, no logging; thread-safe.
//
// Identity: an Event object is re-used by the API server for repeats (count/series.count
// goes up); each occurrence count is one timeline event:
//   source     = "kubernetes"
//   source_ref = "<metadata.uid>:<count>",
//                count = series.count ?: count ?: deprecatedCount ?: 1
//   id         = MakeEventId(source, source_ref)
// so re-reading the same object (LIST, MODIFIED with the same count, kubectl import) yields
// the same ID, and a higher count yields a new one.
//
// Times (ns UTC):
//   occurred_at = series.lastObservedTime ?: lastTimestamp ?: deprecatedLastTimestamp
//                 ?: eventTime ?: firstTimestamp ?: deprecatedFirstTimestamp
//                 ?: metadata.creationTimestamp ?: received_at (attrs.time_missing = true)
//   attrs.first_seen = firstTimestamp ?: deprecatedFirstTimestamp ?: eventTime
//                      ?: metadata.creationTimestamp ?: occurred_at
//   attrs.last_seen  = occurred_at
//
// Severity (at least; a type of Warning already gives "warning"):
//   "error":   OOMKilling, SystemOOM, BackoffLimitExceeded, Evicted,
//              BackOff whose message says "restarting failed container" (crash loop)
//   "warning": type Warning, or reason in BackOff, Killing, Unhealthy, FailedScheduling,
//              NodeNotReady, Failed, FailedMount, FailedAttachVolume, FailedCreate,
//              FailedCreatePodSandBox, Preempted, NodeHasDiskPressure,
//              NodeHasInsufficientMemory, Rebooted
//   "info":    everything else (Normal events such as ScalingReplicaSet, Pulled, Started)
//
// Other fields:
//   kind    = "k8s.<reason>" (reason reduced to [A-Za-z0-9_.-], at most 64 chars;
//             "k8s.Unknown" when absent)
//   scope   = "k8s/<namespace>/<workload>" (see workload.h); Nodes: "k8s/node/<name>";
//             other cluster-scoped objects: "k8s/cluster/<name>"
//   summary = "<reason> on <kind lower-case> <name>: <message>" on one line, at most
//             kSummaryMaxBytes, the "(combined from similar events): " prefix stripped
//   body    = the full message (at most kBodyMaxBytes); actor = reporting component
//   url     = "k8s://<namespace>/<Kind>/<name>" ("_cluster" for cluster-scoped objects)
//   attrs   = {namespace, object{kind,name,uid,fieldPath,apiVersion}, workload, reason,
//              type, count, message (prefix stripped), combined, reporting_component,
//              reporting_instance, host, action, event_name, first_seen, last_seen
//              (int64 ns), related{kind,name,namespace}, api_group ("core/v1" or
//              "events.k8s.io/v1"), time_missing}
//   raw_sha256 = Sha256Hex(raw_text): pass the exact JSON text of the object as received;
//                when raw_text is empty the compact dump of `obj` is hashed instead.
//
// Errors (kInvalidInput): not an object, kind present but not "Event", no metadata.uid.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::kubernetes {

inline constexpr size_t kSummaryMaxBytes = 240;
inline constexpr size_t kBodyMaxBytes = 64 * 1024;

// Returns exactly one event per valid object (a vector so callers can append batches).
Result<std::vector<Event>> ParseEventObject(const nlohmann::json& obj, std::string_view raw_text,
                                            Nanos received_at);

// The occurrence count used in source_ref (series.count ?: count ?: deprecatedCount ?: 1).
int64_t OccurrenceCount(const nlohmann::json& obj);

// metadata.uid, or "" when absent.
std::string ObjectUid(const nlohmann::json& obj);

}  // namespace timelined::connectors::kubernetes
