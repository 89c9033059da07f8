#pragma once
// Internal to timelined_store: what KafkaFeed and StoreConsumer share to build librdkafka
// clients from KafkaOptions. Not part of the public API.
#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/kafka_config.h"
#include "store/model/error.h"

namespace timelined::store {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using KafkaTopic = std::unique_ptr<rd_kafka_topic_t, RdKafkaDeleter>;
using KafkaPartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// A configuration for a producer or a consumer: bootstrap servers, client id and security
// from `options`, then `defaults`, then options.extra and the role's extra map, then
// `enforced` (the properties the durability contract depends on, which extras may not
// override). Installs a log callback that forwards librdkafka's logs to the store logger.
// Errors: kInvalidInput naming the rejected property (values of secret properties are
// never included).
Result<KafkaConf> MakeKafkaConf(const KafkaOptions& options, rd_kafka_type_t type,
                                const KafkaProperties& defaults, const KafkaProperties& enforced);

// rd_kafka_new; takes ownership of `conf` on success and on failure.
Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf);

// Whether a librdkafka statistics JSON (statistics.interval.ms) shows at least one broker
// connection in state UP. Internal and not-yet-connected brokers do not count.
bool StatsShowBrokerUp(const char* json, size_t len);

}  // namespace timelined::store
