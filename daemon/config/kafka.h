#pragma once
// [kafka]: brokers, topics, client id, security, extra librdkafka properties (issue 5).
// The struct is a member of config::Config; its keys are declared in kafka.cc
// (KafkaKeys) and cross-checked by ValidateKafka.

namespace timelined::config {

struct KafkaConfig {};

}  // namespace timelined::config
