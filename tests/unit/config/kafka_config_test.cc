// The [kafka] section: every key, the free-form [kafka.properties] table, and the checks
// that make a bad librdkafka property fail at load rather than at the first produce.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "daemon/config/config.h"

namespace timelined::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ErrorOf(std::string_view text) {
  auto c = ParseConfig(text, "/etc/timelined.toml");
  if (c) {
    ADD_FAILURE() << "expected an error for:\n" << text;
    return {};
  }
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidInput);
  return c.error().detail;
}

TEST(KafkaConfig, DefaultsMeanNoKafka) {
  Config c = DefaultConfig();
  EXPECT_EQ(c.kafka.brokers, "");
  EXPECT_EQ(c.kafka.topic, "timelined.events");
  EXPECT_EQ(c.kafka.dlq_topic, "timelined.events.dlq");
  EXPECT_EQ(c.kafka.group_id, "timelined-store");
  EXPECT_TRUE(c.kafka.extra.empty());
}

TEST(KafkaConfig, SetsEveryKey) {
  setenv("TIMELINED_TEST_KAFKA_PASSWORD", "s3cret-pw", 1);
  auto c = ParseConfig(R"(
[kafka]
brokers = "k1:9093,k2:9093"
topic = "t.events"
dlq_topic = "t.dlq"
client_id = "tl-1"
group_id = "tl-store-a"
security_protocol = "sasl_ssl"
sasl_mechanism = "SCRAM-SHA-512"
sasl_username = "timelined"
sasl_password_env = "TIMELINED_TEST_KAFKA_PASSWORD"
ssl_ca_location = "/etc/ca.pem"
ssl_certificate_location = "/etc/cert.pem"
ssl_key_location = "/etc/key.pem"
queue_limit = 5000
delivery_timeout_ms = 2000
consumer_batch_size = 50
[kafka.properties]
"compression.type" = "zstd"
"linger.ms" = 20
"socket.keepalive.enable" = true
)");
  ASSERT_TRUE(c.has_value()) << c.error().detail;
  const KafkaConfig& k = c->kafka;
  EXPECT_EQ(k.brokers, "k1:9093,k2:9093");
  EXPECT_EQ(k.topic, "t.events");
  EXPECT_EQ(k.dlq_topic, "t.dlq");
  EXPECT_EQ(k.client_id, "tl-1");
  EXPECT_EQ(k.group_id, "tl-store-a");
  EXPECT_EQ(k.security_protocol, "sasl_ssl");
  EXPECT_EQ(k.sasl_mechanism, "SCRAM-SHA-512");
  EXPECT_EQ(k.sasl_username, "timelined");
  EXPECT_EQ(k.sasl_password, "s3cret-pw");
  EXPECT_EQ(k.ssl_ca_location, "/etc/ca.pem");
  EXPECT_EQ(k.ssl_certificate_location, "/etc/cert.pem");
  EXPECT_EQ(k.ssl_key_location, "/etc/key.pem");
  EXPECT_EQ(k.queue_limit, 5000u);
  EXPECT_EQ(k.delivery_timeout_ms, 2000);
  EXPECT_EQ(k.consumer_batch_size, 50u);
  EXPECT_EQ(k.extra.at("compression.type"), "zstd");
  EXPECT_EQ(k.extra.at("linger.ms"), "20");
  EXPECT_EQ(k.extra.at("socket.keepalive.enable"), "true");
  unsetenv("TIMELINED_TEST_KAFKA_PASSWORD");
}

TEST(KafkaConfig, UnknownLibrdkafkaPropertyFailsAtLoadWithItsReason) {
  std::string e =
      ErrorOf("[kafka]\nbrokers = \"k:9092\"\n[kafka.properties]\n\"linger.mss\" = 5\n");
  EXPECT_THAT(e, HasSubstr("kafka.properties.linger.mss"));
  EXPECT_THAT(e, HasSubstr("/etc/timelined.toml"));
  EXPECT_THAT(e, HasSubstr("No such configuration property"));
  std::string bad_value = ErrorOf("[kafka.properties]\n\"compression.type\" = \"brotli\"\n");
  EXPECT_THAT(bad_value, HasSubstr("kafka.properties.compression.type"));
}

TEST(KafkaConfig, PropertiesTheGuaranteesRestOnCannotBeOverridden) {
  for (const char* name : {"acks", "enable.idempotence", "enable.auto.commit",
                           "enable.auto.offset.store", "group.id", "bootstrap.servers"}) {
    std::string e = ErrorOf(std::string("[kafka.properties]\n\"") + name + "\" = \"1\"\n");
    EXPECT_THAT(e, HasSubstr("is set by timelined")) << name;
    EXPECT_THAT(e, HasSubstr("line 2")) << name;
  }
}

TEST(KafkaConfig, PropertiesMustBeFlatScalars) {
  // An unquoted dotted key makes a nested table: say how to write it.
  std::string nested = ErrorOf("[kafka.properties]\ncompression.type = \"zstd\"\n");
  EXPECT_THAT(nested, HasSubstr("expected string, integer or boolean, got table"));
  EXPECT_THAT(nested, HasSubstr("quote dotted names"));
  EXPECT_THAT(ErrorOf("[kafka.properties]\n\"linger.ms\" = 1.5\n"), HasSubstr("got float"));
  EXPECT_THAT(ErrorOf("[kafka]\nproperties = \"linger.ms=5\"\n"),
              HasSubstr("expected table, got string"));
}

TEST(KafkaConfig, ChecksValuesAndNeverShowsThePassword) {
  EXPECT_THAT(ErrorOf("[kafka]\nsecurity_protocol = \"tls\"\n"),
              HasSubstr("expected plaintext, ssl, sasl_plaintext or sasl_ssl"));
  EXPECT_THAT(ErrorOf("[kafka]\ntopic = \"\"\n"), HasSubstr("must not be empty"));
  EXPECT_THAT(ErrorOf("[kafka]\nqueue_limit = 0\n"), HasSubstr("out of bounds"));
  EXPECT_THAT(ErrorOf("[kafka]\nbrokerz = \"k:9092\"\n"), HasSubstr("unknown key 'kafka.brokerz'"));
  std::string e = ErrorOf("[kafka]\nsasl_password = \"hunter2-pw\"\nsasl_password_env = \"X\"\n");
  EXPECT_THAT(e, HasSubstr("give only one of"));
  EXPECT_THAT(e, Not(HasSubstr("hunter2-pw")));
}

}  // namespace
}  // namespace timelined::config
