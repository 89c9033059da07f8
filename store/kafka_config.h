#pragma once
// KafkaOptions: how KafkaFeed (producer) and StoreConsumer (consumer group) reach Kafka.
// A plain value; the daemon fills it from the [kafka] section of the config. Secrets
// (sasl_password, key files) are passed to librdkafka and never logged or put in errors.
#include <cstddef>
#include <map>
#include <string>

namespace timelined::store {

struct KafkaOptions {
  std::string brokers;  // bootstrap.servers, "host:9092,host2:9092"; required
  std::string topic = "timelined.events";
  std::string dlq_topic = "timelined.events.dlq";  // undecodable messages go here
  std::string client_id = "timelined";
  std::string group_id = "timelined-store";  // the store consumer group

  // Security; empty = librdkafka's default (plaintext, no SASL).
  std::string security_protocol;  // plaintext | ssl | sasl_plaintext | sasl_ssl
  std::string sasl_mechanism;     // PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512 | ...
  std::string sasl_username;
  std::string sasl_password;  // secret
  std::string ssl_ca_location;
  std::string ssl_certificate_location;
  std::string ssl_key_location;

  // librdkafka properties set last, overriding everything above (escape hatch), on every
  // client; then `producer_extra` on producers (the feed and the DLQ producer) and
  // `consumer_extra` on the consumer only, so a consumer-only property such as
  // session.timeout.ms does not make the producers warn.
  std::map<std::string, std::string> extra;
  std::map<std::string, std::string> producer_extra;
  std::map<std::string, std::string> consumer_extra;

  // Producer (KafkaFeed).
  size_t queue_limit = 100'000;      // events produced but not yet acknowledged, at most
  int delivery_timeout_ms = 30'000;  // message.timeout.ms: a delivery fails after this
  int flush_timeout_ms = 10'000;     // the destructor waits this long for in-flight events

  // Consumer (StoreConsumer).
  size_t consumer_batch_size = 1000;         // messages per SQLite transaction at most
  int consumer_poll_timeout_ms = 100;        // wait for the first message of a batch
  int consumer_retry_backoff_max_ms = 5000;  // store/DLQ failure backoff, doubling from 100 ms
  int lag_refresh_ms = 1000;                 // how often the consumer recomputes per-partition lag
};

}  // namespace timelined::store
