#include "daemon/telemetry.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include "daemon/worker_guard.h"

namespace timelined::daemon {
namespace {

void DeclareStoreMetrics(http::MetricsRegistry& metrics) {
  metrics.DeclareCounter("timelined_store_events_inserted_total", "Events newly stored");
  metrics.DeclareCounter("timelined_store_events_duplicate_total",
                         "Events already stored (idempotent no-ops)");
  metrics.DeclareCounter("timelined_store_transactions_total", "Writer transactions committed");
  metrics.DeclareCounter("timelined_store_commit_failures_total",
                         "Writer transactions rolled back");
  metrics.DeclareGauge("timelined_store_queue_depth", "Events waiting for the writer");
  std::vector<double> batch(std::begin(store::kBatchSizeBounds), std::end(store::kBatchSizeBounds));
  std::vector<double> latency(std::begin(store::kCommitLatencyBounds),
                              std::end(store::kCommitLatencyBounds));
  metrics.DeclareCounter("timelined_store_wal_checkpoints_total",
                         "WAL checkpoints, by where they ran: background (the checkpoint "
                         "thread), writer_tail (the writer copying the short tail a background "
                         "pass left), writer_hard_limit (the writer, the WAL being too big)");
  metrics.DeclareCounter("timelined_store_wal_checkpoint_seconds_total",
                         "Time spent in WAL checkpoints, by thread (background or writer)");
  metrics.DeclareCounter("timelined_store_wal_checkpoint_failures_total",
                         "WAL checkpoints that failed (retried later)");
  metrics.DeclareGauge("timelined_store_wal_pages", "WAL size in pages after the last commit");
  metrics.DeclareHistogram("timelined_store_batch_events", "Events per writer transaction", batch);
  metrics.DeclareHistogram("timelined_store_commit_seconds", "Writer transaction latency", latency);
}

void AddProducerMetrics(http::MetricsRegistry& m, store::KafkaFeed& feed) {
  m.DeclareGauge("timelined_kafka_produce_queue_depth",
                 "Events produced to Kafka whose delivery report is pending");
  m.DeclareCounter("timelined_kafka_delivered_total", "Events acknowledged by Kafka");
  m.DeclareCounter("timelined_kafka_delivery_errors_total", "Events whose delivery failed");
  m.DeclareCounter("timelined_kafka_batches_rejected_total",
                   "Publishes refused because the produce queue was full (503)");
  m.AddCollector([&feed](http::MetricsRegistry& r) {
    store::KafkaFeedStats s = feed.Stats();
    r.Set("timelined_kafka_broker_up", {{"client", "producer"}}, s.ready ? 1 : 0);
    r.Set("timelined_kafka_produce_queue_depth", {}, static_cast<double>(s.in_flight));
    r.Set("timelined_kafka_delivered_total", {}, static_cast<double>(s.delivered));
    r.Set("timelined_kafka_delivery_errors_total", {}, static_cast<double>(s.delivery_errors));
    r.Set("timelined_kafka_batches_rejected_total", {}, static_cast<double>(s.batches_rejected));
  });
}

void DeclareConsumerMetrics(http::MetricsRegistry& m) {
  m.DeclareCounter("timelined_kafka_consumer_batches_committed_total",
                   "Consumed batches stored in SQLite whose offsets were committed");
  m.DeclareCounter("timelined_kafka_consumer_events_inserted_total",
                   "Consumed events newly stored");
  m.DeclareCounter("timelined_kafka_consumer_events_duplicate_total",
                   "Consumed events already stored (redelivery)");
  m.DeclareCounter("timelined_kafka_dlq_messages_total",
                   "Undecodable messages produced to the dead-letter topic");
  m.DeclareCounter("timelined_kafka_consumer_failures_total",
                   "Failures the consumer retried (kind=store|dlq|commit|consumer)");
  m.DeclareCounter("timelined_kafka_consumer_rebalances_total",
                   "Partition assignments and "
                   "revocations served");
  m.DeclareGauge("timelined_kafka_consumer_lag",
                 "High watermark minus committed offset, per assigned partition (0 once the "
                 "partition is no longer assigned here)");
}

void SetConsumerMetrics(http::MetricsRegistry& r, const store::StoreConsumerStats& s) {
  r.Set("timelined_kafka_broker_up", {{"client", "consumer"}}, s.broker_up ? 1 : 0);
  r.Set("timelined_kafka_consumer_batches_committed_total", {},
        static_cast<double>(s.batches_committed));
  r.Set("timelined_kafka_consumer_events_inserted_total", {},
        static_cast<double>(s.events_inserted));
  r.Set("timelined_kafka_consumer_events_duplicate_total", {},
        static_cast<double>(s.events_duplicate));
  r.Set("timelined_kafka_dlq_messages_total", {}, static_cast<double>(s.dlq_messages));
  r.Set("timelined_kafka_consumer_failures_total", {{"kind", "store"}},
        static_cast<double>(s.store_failures));
  r.Set("timelined_kafka_consumer_failures_total", {{"kind", "dlq"}},
        static_cast<double>(s.dlq_failures));
  r.Set("timelined_kafka_consumer_failures_total", {{"kind", "commit"}},
        static_cast<double>(s.commit_failures));
  r.Set("timelined_kafka_consumer_failures_total", {{"kind", "consumer"}},
        static_cast<double>(s.consumer_errors));
  r.Set("timelined_kafka_consumer_rebalances_total", {}, static_cast<double>(s.rebalances));
}

void AddConsumerMetrics(http::MetricsRegistry& m, store::StoreConsumer& consumer) {
  DeclareConsumerMetrics(m);
  m.AddCollector([&consumer, reported = std::set<std::pair<std::string, int32_t>>()](
                     http::MetricsRegistry& r) mutable {
    store::StoreConsumerStats s = consumer.Stats();
    SetConsumerMetrics(r, s);
    // A partition no longer assigned here reports 0 rather than its last lag.
    std::set<std::pair<std::string, int32_t>> now;
    for (const store::PartitionLag& p : s.partitions) {
      now.emplace(p.topic, p.partition);
      r.Set("timelined_kafka_consumer_lag",
            {{"topic", p.topic}, {"partition", std::to_string(p.partition)}},
            static_cast<double>(std::max<int64_t>(p.lag, 0)));
    }
    for (const auto& [topic, partition] : reported) {
      if (!now.contains({topic, partition}))
        r.Set("timelined_kafka_consumer_lag",
              {{"topic", topic}, {"partition", std::to_string(partition)}}, 0);
    }
    reported.merge(now);
  });
}

}  // namespace

void AddProcessMetrics(http::MetricsRegistry& metrics, std::string_view version,
                       std::string_view role) {
  metrics.DeclareGauge("timelined_build_info", "Build information");
  metrics.Set("timelined_build_info",
              {{"version", std::string(version)}, {"role", std::string(role)}}, 1);
  metrics.DeclareCounter("timelined_worker_exceptions_total",
                         "Exceptions caught on background worker threads, by worker (the "
                         "job is dropped or retried; the worker keeps running)");
  metrics.AddCollector([](http::MetricsRegistry& m) {
    for (const auto& [worker, n] : WorkerExceptionCounts()) {
      m.Set("timelined_worker_exceptions_total", {{"worker", worker}}, static_cast<double>(n));
    }
  });
}

void AddStoreMetrics(http::MetricsRegistry& metrics, const store::SqliteEventStore& store) {
  DeclareStoreMetrics(metrics);
  metrics.AddCollector([&store](http::MetricsRegistry& m) {
    store::StoreStats s = store.Stats();
    m.Set("timelined_store_events_inserted_total", {}, static_cast<double>(s.events_inserted));
    m.Set("timelined_store_events_duplicate_total", {}, static_cast<double>(s.events_duplicate));
    m.Set("timelined_store_transactions_total", {}, static_cast<double>(s.transactions));
    m.Set("timelined_store_commit_failures_total", {}, static_cast<double>(s.commit_failures));
    m.Set("timelined_store_queue_depth", {}, static_cast<double>(s.queue_depth));
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "background"}},
          static_cast<double>(s.checkpoints_background));
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "writer_tail"}},
          static_cast<double>(s.checkpoints_tail));
    m.Set("timelined_store_wal_checkpoints_total", {{"where", "writer_hard_limit"}},
          static_cast<double>(s.checkpoints_hard_limit));
    m.Set("timelined_store_wal_checkpoint_seconds_total", {{"thread", "background"}},
          s.checkpoint_background_seconds);
    m.Set("timelined_store_wal_checkpoint_seconds_total", {{"thread", "writer"}},
          s.checkpoint_writer_seconds);
    m.Set("timelined_store_wal_checkpoint_failures_total", {},
          static_cast<double>(s.checkpoint_failures));
    m.Set("timelined_store_wal_pages", {}, static_cast<double>(s.wal_pages));
    m.SetHistogram("timelined_store_batch_events", {}, s.batch_size_buckets,
                   static_cast<double>(s.batch_size_sum));
    m.SetHistogram("timelined_store_commit_seconds", {}, s.commit_latency_buckets,
                   s.commit_latency_sum_seconds);
  });
}

void AddKafkaMetrics(http::MetricsRegistry& metrics, store::KafkaFeed* feed,
                     store::StoreConsumer* consumer) {
  if (feed == nullptr && consumer == nullptr) return;
  metrics.DeclareGauge(
      "timelined_kafka_broker_up",
      "1 when the Kafka client has a broker connection up (client=producer|consumer)");
  if (feed != nullptr) AddProducerMetrics(metrics, *feed);
  if (consumer != nullptr) AddConsumerMetrics(metrics, *consumer);
}

void AddDraftMetrics(http::MetricsRegistry& metrics, const DraftService& drafts) {
  metrics.DeclareCounter("timelined_drafts_total", "Drafts stored, by result");
  metrics.DeclareCounter("timelined_drafts_auto_total", "Automatic drafts, by outcome");
  metrics.DeclareCounter("timelined_drafts_marked_stale_total",
                         "Times an incident's drafts were marked stale by late evidence");
  metrics.DeclareCounter("timelined_drafts_notify_failures_total", "Draft notices that failed");
  metrics.AddCollector([&drafts](http::MetricsRegistry& m) {
    DraftServiceStats d = drafts.Stats();
    m.Set("timelined_drafts_total", {{"result", "stored"}}, static_cast<double>(d.drafts_built));
    m.Set("timelined_drafts_total", {{"result", "failed"}}, static_cast<double>(d.build_failures));
    m.Set("timelined_drafts_auto_total", {{"outcome", "scheduled"}},
          static_cast<double>(d.auto_scheduled));
    m.Set("timelined_drafts_auto_total", {{"outcome", "cancelled"}},
          static_cast<double>(d.auto_cancelled));
    m.Set("timelined_drafts_marked_stale_total", {}, static_cast<double>(d.marked_stale));
    m.Set("timelined_drafts_notify_failures_total", {}, static_cast<double>(d.notify_failures));
  });
}

void ExportIngestCountersAtZero(http::MetricsRegistry& metrics,
                                const std::vector<std::string>& sources) {
  for (const std::string& source : sources) {
    for (const char* outcome : {"inserted", "duplicate"}) {
      metrics.Add("timelined_ingest_events_total", {{"source", source}, {"outcome", outcome}}, 0);
    }
    metrics.Add("timelined_ingest_redactions_total", {{"source", source}}, 0);
    // IngestPipeline's reasons: a rejected event, no answer in time, the feed's error code.
    for (const char* reason :
         {"invalid_event", "timeout", "unavailable", "exhausted", "internal"}) {
      metrics.Add("timelined_ingest_publish_failures_total",
                  {{"source", source}, {"reason", reason}}, 0);
    }
  }
}

void ExportWorkerCountersAtZero(http::MetricsRegistry& metrics,
                                const std::vector<std::string>& workers) {
  for (const std::string& w : workers) {
    metrics.Add("timelined_worker_exceptions_total", {{"worker", w}}, 0);
  }
}

void ExportRouteCountersAtZero(http::MetricsRegistry& metrics, const http::Router& router) {
  for (const auto& [method, pattern] : router.Routes()) {
    metrics.Add("timelined_http_requests_total",
                {{"route", pattern}, {"method", method}, {"status", "503"}}, 0);
  }
}

}  // namespace timelined::daemon
