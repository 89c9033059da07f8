#pragma once
// [kafka]: brokers, topics, client id, security, extra librdkafka properties (issue 5).
// The struct is a member of config::Config; its keys are declared in kafka.cc
// (KafkaKeys) and cross-checked by ValidateKafka. Empty `brokers` = no Kafka: `serve
// --role all` uses the local feed, and the ingest and store roles refuse to start.
#include "store/kafka_config.h"

namespace timelined::config {

// The option struct KafkaFeed and StoreConsumer take, filled directly by the keys in
// kafka.cc: each default is written once, in store/kafka_config.h. [kafka.properties]
// fills `extra`; producer_extra, consumer_extra and flush_timeout_ms are not config keys.
using KafkaConfig = store::KafkaOptions;

}  // namespace timelined::config
