#pragma once
// StoreConsumer: `--role store`. Reads options.topic in consumer group options.group_id and
// writes the events into the SQLite store, at least once; idempotent inserts (by event id)
// make the stored result exactly once.
//
// Loop (one consumer thread): poll up to options.consumer_batch_size messages (waiting at
// most options.consumer_poll_timeout_ms for the first), decode each (kafka_codec.h);
//   - undecodable messages are produced to options.dlq_topic with the original key and
//     value and headers `error`, `original_topic`, `original_partition`, `original_offset`;
//   - once every DLQ delivery of the batch is confirmed, the decoded events go to the
//     store writer as one Submit (one transaction, or part of a group commit);
//   - only when that transaction committed are the batch's next offsets committed
//     (synchronously) to the group. Two batches may be in flight (the next one is decoded
//     while the writer commits the previous); offsets are committed strictly in order.
// If the store or the DLQ fails, nothing more is committed: the consumer waits for the
// batches in flight, seeks its partitions back to the first uncommitted offset and retries
// after a backoff (100 ms doubling up to options.consumer_retry_backoff_max_ms), so no
// event is skipped (batches stored after the failed one are re-read: harmless).
//
// Rebalances: on revoke the batch being collected is written and committed first, then the
// partitions are released (eager: assign(NULL); cooperative: incremental unassign); a
// standby instance in the same group takes over from the last committed offsets.
//
// Threads: Start/Stop/Stats are safe from any thread (Start and Stop not concurrently with
// each other); the store must outlive the consumer. Auto commit is off and the consumer
// properties enable.auto.commit / enable.auto.offset.store cannot be overridden by extras.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/kafka_config.h"
#include "store/model/error.h"
#include "store/sqlite_store.h"

namespace timelined::store {

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;       // next offset to store (ours, else the fetch position); -1 unknown
  int64_t high_watermark = -1;  // -1 unknown
  int64_t lag = -1;             // high_watermark - committed, -1 unknown
};

struct StoreConsumerStats {
  uint64_t batches_committed = 0;  // batches whose offsets were committed
  uint64_t events_stored = 0;      // decoded events written (new + duplicates)
  uint64_t events_inserted = 0;    // of which new in the store
  uint64_t events_duplicate = 0;   // of which already stored (redelivery)
  uint64_t dlq_messages = 0;       // undecodable messages confirmed in the DLQ topic
  uint64_t store_failures = 0;     // batches the store refused (retried)
  uint64_t dlq_failures = 0;       // batches whose DLQ delivery failed (retried)
  uint64_t commit_failures = 0;    // offset commits that failed (data is stored; redelivered)
  uint64_t consumer_errors = 0;    // errors reported by the consumer (broker, topic)
  uint64_t rebalances = 0;         // assignments and revocations served
  bool broker_up = false;  // a broker connection was UP in the last statistics (every second)
  std::vector<PartitionLag> partitions;  // assigned partitions, refreshed every lag_refresh_ms
};

class StoreConsumer {
 public:
  // Creates the consumer and the DLQ producer; does not contact the brokers yet.
  // Errors: kInvalidInput for bad options or a rejected librdkafka property.
  static Result<std::unique_ptr<StoreConsumer>> Create(const KafkaOptions& options,
                                                       SqliteEventStore& store);
  ~StoreConsumer();  // Stop()s
  StoreConsumer(const StoreConsumer&) = delete;
  StoreConsumer& operator=(const StoreConsumer&) = delete;

  // Subscribes to options.topic and starts the consumer thread. Errors: kInvalidInput if
  // the subscription is refused; kInternal if called twice.
  Result<void> Start();
  // Finishes the batches in progress (stores and commits them unless the store fails),
  // leaves the group (closing the consumer) and joins the thread. Idempotent; after Stop
  // the consumer cannot be restarted: create a new one.
  void Stop();

  StoreConsumerStats Stats() const;

  struct Impl;  // public for the C callbacks in kafka_consumer.cc

 private:
  explicit StoreConsumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace timelined::store
