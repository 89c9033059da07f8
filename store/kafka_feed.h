#pragma once
// KafkaFeed: the Feed for `--role ingest` and scaled-out deployments. Publish produces each
// event (kafka_codec.h: v1 JSON, key = incident_id, else scope, else source) to
// options.topic with an idempotent producer (enable.idempotence=true, acks=all).
//
// Durability: a batch's completion reports success only after the delivery report of
// every one of its messages succeeded, i.e. the events are in Kafka's in-sync replicas.
// Otherwise it reports, exactly once:
//   kExhausted    the local bound (options.queue_limit events in flight) or librdkafka's
//                 queue is full: back-pressure, the sender should retry later (503).
//   kUnavailable  a delivery failed, e.g. no broker reachable within
//                 options.delivery_timeout_ms (message.timeout.ms); or a fatal producer
//                 error. The sender retries; duplicates collapse by event id in the store.
//   kTooLarge     an event is over the broker's message size limit.
// A failed batch may have been partly delivered: that is harmless (idempotent inserts).
//
// Threads: Publish, Ready and Stats are safe from any thread. Completions run on the feed's
// poll thread (which serves librdkafka's delivery reports), or inline in Publish when the
// batch is rejected or fails while being handed to librdkafka. The destructor flushes in-flight
// events for up to options.flush_timeout_ms, then fails the rest (their completions still run); no
// Publish may be called concurrently with or after it.
#include <cstdint>
#include <memory>
#include <vector>

#include "store/kafka_config.h"
#include "store/model/error.h"
#include "store/model/feed.h"

namespace timelined::store {

struct KafkaFeedStats {
  uint64_t in_flight = 0;        // events produced, delivery report pending (queue depth)
  uint64_t delivered = 0;        // events acknowledged by Kafka
  uint64_t delivery_errors = 0;  // events whose delivery failed
  uint64_t batches_ok = 0;
  uint64_t batches_failed = 0;    // completed with an error other than back-pressure
  uint64_t batches_rejected = 0;  // refused with kExhausted (queue full)
  bool ready = false;             // Ready() at the time of the snapshot
};

class KafkaFeed final : public Feed {
 public:
  // Creates the producer and starts its poll thread. Does not wait for a broker: an
  // unreachable cluster shows as Ready() == false and as failed deliveries. Errors:
  // kInvalidInput for bad options or a librdkafka property it rejects.
  static Result<std::unique_ptr<KafkaFeed>> Create(const KafkaOptions& options);
  ~KafkaFeed() override;
  KafkaFeed(const KafkaFeed&) = delete;
  KafkaFeed& operator=(const KafkaFeed&) = delete;

  void Publish(std::vector<Event> events, PublishCallback done) override;

  // True when at least one broker connection is up (tracked from librdkafka's statistics
  // every second and its all-brokers-down error) and the producer had no fatal error.
  bool Ready() const override;

  KafkaFeedStats Stats() const;

  struct Impl;  // public for the C callbacks in kafka_feed.cc

 private:
  explicit KafkaFeed(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::store
