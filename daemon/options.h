#pragma once
// Config sections → the option structs of the components App builds (the SQLite store,
// the Kafka clients, the HTTP server, the drafts service), and opening the store where
// [store] path says. Pure mapping: no component depends on daemon/config.
#include <memory>

#include "daemon/config/config.h"
#include "daemon/drafts_service.h"
#include "daemon/http/server.h"
#include "store/kafka_config.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

store::StoreOptions StoreOptionsFrom(const config::StoreConfig& c);
store::KafkaOptions KafkaOptionsFrom(const config::KafkaConfig& k);
// Fails when `listen` does not parse (ParseListen).
Result<http::ServerOptions> ServerOptionsFrom(const config::ServerConfig& s);
DraftServiceOptions DraftServiceOptionsFrom(const config::SummarizerSettings& s);

// Creates the database's directory if needed, then opens (and migrates) the store.
// Errors: kUnavailable "store" naming the directory, or the store's own.
Result<std::unique_ptr<store::SqliteEventStore>> OpenStore(const config::StoreConfig& c);

}  // namespace timelined::daemon
