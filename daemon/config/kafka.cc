#include <librdkafka/rdkafka.h>

#include <memory>

#include "daemon/config/config.h"
#include "daemon/config/section_keys.h"

namespace timelined::config {
namespace {

std::unexpected<Error> Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

std::string CheckNonEmpty(std::string_view s) { return s.empty() ? "must not be empty" : ""; }

std::string CheckSecurityProtocol(std::string_view s) {
  for (std::string_view ok : {"", "plaintext", "ssl", "sasl_plaintext", "sasl_ssl"}) {
    if (s == ok) return "";
  }
  return "expected plaintext, ssl, sasl_plaintext or sasl_ssl";
}

// The properties timelined sets itself and on which its guarantees rest.
std::string CheckProperty(std::string_view name, std::string_view) {
  for (std::string_view owned :
       {"bootstrap.servers", "group.id", "enable.idempotence", "acks", "enable.auto.commit",
        "enable.auto.offset.store", "message.timeout.ms", "statistics.interval.ms"}) {
    if (name == owned) {
      return "is set by timelined (use the [kafka] keys; the durability guarantees depend on "
             "it)";
    }
  }
  return "";
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};

}  // namespace

std::vector<keys::KeySpec<Config>> KafkaKeys() {
  using C = Config;
  using K = KafkaConfig;
  auto f = [](auto member) { return Field(&C::kafka, member); };
  return {
      keys::StringKey<C>("kafka.brokers", f(&K::brokers),
                         "Kafka bootstrap servers, \"host:9092,host2:9092\". Empty: no Kafka "
                         "(serve --role all uses the local feed; ingest and store need it)."),
      keys::StringKey<C>("kafka.topic", f(&K::topic),
                         "Topic the events are produced to and consumed from.", {}, CheckNonEmpty),
      keys::StringKey<C>("kafka.dlq_topic", f(&K::dlq_topic),
                         "Dead-letter topic for messages the store cannot decode.", {},
                         CheckNonEmpty),
      keys::StringKey<C>("kafka.client_id", f(&K::client_id), "client.id of every Kafka client.",
                         {}, CheckNonEmpty),
      keys::StringKey<C>("kafka.group_id", f(&K::group_id),
                         "Consumer group of the store instances (one full store per group).", {},
                         CheckNonEmpty),
      keys::StringKey<C>("kafka.security_protocol", f(&K::security_protocol),
                         "security.protocol: plaintext, ssl, sasl_plaintext or sasl_ssl; empty "
                         "= librdkafka's default (plaintext).",
                         {}, CheckSecurityProtocol),
      keys::StringKey<C>("kafka.sasl_mechanism", f(&K::sasl_mechanism),
                         "sasl.mechanisms, e.g. PLAIN, SCRAM-SHA-256, SCRAM-SHA-512."),
      keys::StringKey<C>("kafka.sasl_username", f(&K::sasl_username), "sasl.username."),
      keys::SecretKey<C>(
          "kafka.sasl_password", [](C& c, const std::string& v) { c.kafka.sasl_password = v; },
          "sasl.password."),
      keys::StringKey<C>("kafka.ssl_ca_location", f(&K::ssl_ca_location),
                         "ssl.ca.location: CA certificate file (PEM)."),
      keys::StringKey<C>("kafka.ssl_certificate_location", f(&K::ssl_certificate_location),
                         "ssl.certificate.location: client certificate (PEM), for mTLS."),
      keys::StringKey<C>("kafka.ssl_key_location", f(&K::ssl_key_location),
                         "ssl.key.location: client private key (PEM), for mTLS."),
      keys::StringMapKey<C>(
          "kafka.properties",
          [](C& c, const std::map<std::string, std::string>& m) { c.kafka.extra = m; },
          "Extra librdkafka properties for every Kafka client, set last, e.g. "
          "\"compression.type\" = \"zstd\" (quote dotted names). Unknown ones fail at load.",
          CheckProperty),
      keys::IntKey<C>("kafka.queue_limit", f(&K::queue_limit), 1, 10'000'000,
                      "Events produced but not yet acknowledged by Kafka, per instance; beyond "
                      "it ingest answers 503 with Retry-After."),
      keys::IntKey<C>("kafka.delivery_timeout_ms", f(&K::delivery_timeout_ms), 1'000, 900'000,
                      "message.timeout.ms: an event Kafka has not acknowledged by then fails "
                      "its request (503). Keep it below server.publish_timeout_ms to answer "
                      "within the request."),
      keys::IntKey<C>("kafka.consumer_batch_size", f(&K::consumer_batch_size), 1, 100'000,
                      "Store role: messages written per SQLite transaction at most."),
  };
}

// Every [kafka.properties] entry is tried on a librdkafka configuration object, so an
// unknown property or a bad value fails at load (check-config) with librdkafka's reason.
Result<void> ValidateKafka(const Config& c) {
  for (const auto& [name, value] : c.kafka.extra) {
    std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
    char errstr[512];
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      const bool secret = name.find("password") != std::string::npos ||
                          name.find("secret") != std::string::npos ||
                          name.find("key") != std::string::npos;
      return Invalid("key 'kafka.properties." + name + "' in " +
                     (c.source_path.empty() ? std::string("<string>") : c.source_path) +
                     ": librdkafka rejected it" + (secret ? "" : ": " + std::string(errstr)));
    }
  }
  return {};
}

}  // namespace timelined::config
