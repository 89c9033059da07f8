#pragma once
// Pure importer for kubectl output (POST /ingest/kubernetes, `timelined import FILE`).
// No I/O, no clock, no logging; thread-safe.
//
// Accepts one or more top-level JSON documents back to back (whitespace or nothing between
// them), each of which is:
//   (a) a List / EventList with "items" (`kubectl get events -o json`);
//   (b) a watch entry {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": {...}}
//       (`kubectl get events -w -o json --output-watch-events`, or the raw watch NDJSON
//       stream of `kubectl get --raw '/api/v1/events?watch=1'`);
//   (c) a single Event object (`kubectl get event X -o json`, or each pretty-printed
//       document of `kubectl get events -w -o json`).
// ADDED/MODIFIED entries are parsed; DELETED (expiry, not recovery), BOOKMARK and ERROR
// entries produce nothing. Each event's raw_sha256 hashes the exact text of its Event
// object. Events are returned in input order with duplicate IDs removed (the same
// uid:count seen twice, e.g. ADDED then MODIFIED without a new occurrence).
//
// Errors (kInvalidInput, message "invalid_kubectl_json"): the detail names the first bad
// document: "document 3 (offset 1520, line 61): invalid JSON", "document 1 item 4: missing
// metadata.uid", or "document 2 (…): not a Kubernetes Event, List or watch event".
// An empty or all-whitespace input returns no events.
#include <string_view>
#include <vector>

#include "store/model/error.h"
#include "store/model/event.h"
#include "store/model/time.h"

namespace timelined::connectors::kubernetes {

Result<std::vector<Event>> ParseKubectlJson(std::string_view text, Nanos received_at);

}  // namespace timelined::connectors::kubernetes
