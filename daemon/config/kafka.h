#pragma once
// [kafka]: brokers, topics, client id, security, extra librdkafka properties (issue 5).
// The struct is a member of config::Config; its keys are declared in kafka.cc
// (KafkaKeys) and cross-checked by ValidateKafka. Empty `brokers` = no Kafka: `serve
// --role all` uses the local feed, and the ingest and store roles refuse to start.
#include <cstddef>
#include <map>
#include <string>

namespace timelined::config {

struct KafkaConfig {
  std::string brokers;  // bootstrap.servers; empty = local feed
  std::string topic = "timelined.events";
  std::string dlq_topic = "timelined.events.dlq";
  std::string client_id = "timelined";
  std::string group_id = "timelined-store";
  std::string security_protocol;  // "" = librdkafka's default (plaintext)
  std::string sasl_mechanism;
  std::string sasl_username;
  std::string sasl_password;  // secret: never logged
  std::string ssl_ca_location;
  std::string ssl_certificate_location;
  std::string ssl_key_location;
  std::map<std::string, std::string> properties;  // [kafka.properties], set last
  size_t queue_limit = 100'000;                   // events in flight per instance; then 503
  int delivery_timeout_ms = 30'000;               // message.timeout.ms
  size_t consumer_batch_size = 1000;              // messages per SQLite transaction at most
};

}  // namespace timelined::config
