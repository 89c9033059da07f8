#pragma once
// The daemon's own /metrics families that no component declares itself: build info, worker
// exceptions, the SQLite store's writer and WAL, the Kafka producer and consumer, the drafts
// service; and the series exported at 0 before their first increment (issue 17: a counter
// alerted on with increase() must exist before it first moves).
//
// Collectors run at render time on the thread serving /metrics; what they read (store,
// feed, consumer, drafts service) must outlive the registry's last render (App's member
// order guarantees it).
#include <string>
#include <string_view>
#include <vector>

#include "daemon/drafts_service.h"
#include "daemon/http/metrics.h"
#include "daemon/http/router.h"
#include "store/kafka_consumer.h"
#include "store/kafka_feed.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

// timelined_build_info{version,role} and timelined_worker_exceptions_total{worker}.
void AddProcessMetrics(http::MetricsRegistry& metrics, std::string_view version,
                       std::string_view role);
// timelined_store_*: writer, commit latency, WAL checkpoints.
void AddStoreMetrics(http::MetricsRegistry& metrics, const store::SqliteEventStore& store);
// timelined_kafka_*: the producer's when `feed` is set, the consumer's when `consumer` is.
void AddKafkaMetrics(http::MetricsRegistry& metrics, store::KafkaFeed* feed,
                     store::StoreConsumer* consumer);
// timelined_drafts_*.
void AddDraftMetrics(http::MetricsRegistry& metrics, const DraftService& drafts);

// timelined_ingest_{events,redactions,publish_failures}_total for each source label, with
// every outcome and every IngestPipeline failure reason, at 0.
void ExportIngestCountersAtZero(http::MetricsRegistry& metrics,
                                const std::vector<std::string>& sources);
// timelined_worker_exceptions_total{worker} at 0.
void ExportWorkerCountersAtZero(http::MetricsRegistry& metrics,
                                const std::vector<std::string>& workers);
// timelined_http_requests_total{route,method,status="503"} at 0 for every route: the 5xx a
// route answers by design (not durable in time, server busy), so the error-ratio alert has
// its series before the first one. After the server declared the family.
void ExportRouteCountersAtZero(http::MetricsRegistry& metrics, const http::Router& router);

}  // namespace timelined::daemon
