#include "store/kafka_client.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "store/log.h"

namespace timelined::store {
namespace {

// Properties whose values must never reach an error message or a log.
bool IsSecretProperty(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos ||
         name.find("key") != std::string_view::npos || name.find("jaas") != std::string_view::npos;
}

void LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  // librdkafka logs broker connection failures at LOG_ERR although it recovers from them
  // by itself: they are warnings here (error = data loss or operator action).
  spdlog::level::level_enum lvl = spdlog::level::debug;
  if (level <= 2) {
    lvl = spdlog::level::err;
  } else if (level <= 4) {
    lvl = spdlog::level::warn;
  } else if (level <= 6) {
    lvl = spdlog::level::info;
  }
  Log().log(lvl, "[kafka={}] {}: {}", rd_kafka_name(rk), fac, buf);
}

Result<void> Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) ==
      RD_KAFKA_CONF_OK) {
    return {};
  }
  std::string detail = "kafka property '" + name + "' was rejected";
  if (!IsSecretProperty(name)) detail += std::string(": ") + errstr;
  return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config", std::move(detail));
}

}  // namespace

Result<KafkaConf> MakeKafkaConf(const KafkaOptions& options, rd_kafka_type_t type,
                                const KafkaProperties& defaults, const KafkaProperties& enforced) {
  if (options.brokers.empty())
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config", "kafka brokers are not set");
  KafkaConf conf(rd_kafka_conf_new());
  KafkaProperties props = {{"bootstrap.servers", options.brokers},
                           {"client.id", options.client_id}};
  auto add_if = [&props](const char* name, const std::string& value) {
    if (!value.empty()) props.emplace_back(name, value);
  };
  add_if("security.protocol", options.security_protocol);
  add_if("sasl.mechanisms", options.sasl_mechanism);
  add_if("sasl.username", options.sasl_username);
  add_if("sasl.password", options.sasl_password);
  add_if("ssl.ca.location", options.ssl_ca_location);
  add_if("ssl.certificate.location", options.ssl_certificate_location);
  add_if("ssl.key.location", options.ssl_key_location);
  props.insert(props.end(), defaults.begin(), defaults.end());
  props.insert(props.end(), options.extra.begin(), options.extra.end());
  const auto& role_extra =
      type == RD_KAFKA_PRODUCER ? options.producer_extra : options.consumer_extra;
  props.insert(props.end(), role_extra.begin(), role_extra.end());
  props.insert(props.end(), enforced.begin(), enforced.end());
  for (const auto& [name, value] : props) {
    if (auto r = Set(conf.get(), name, value); !r) return std::unexpected(r.error());
  }
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  return conf;
}

Result<KafkaHandle> MakeKafkaClient(rd_kafka_type_t type, KafkaConf conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) {
    return MakeError(ErrorCode::kInvalidInput, "bad_kafka_config",
                     std::string("cannot create the kafka client: ") + errstr);
  }
  (void)conf.release();  // rd_kafka_new owns it now
  return KafkaHandle(rk);
}

bool StatsShowBrokerUp(const char* json, size_t len) {
  auto j = nlohmann::json::parse(json, json + len, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto brokers = j.find("brokers");
  if (brokers == j.end() || !brokers->is_object()) return false;
  for (const auto& [name, b] : brokers->items()) {
    if (!b.is_object()) continue;
    if (b.value("source", std::string()) == "internal") continue;
    if (b.value("state", std::string()) == "UP") return true;
  }
  return false;
}

}  // namespace timelined::store
