#pragma once
// Config sections → the option structs of the components App builds (the HTTP server, the
// drafts service), and opening the store where [store] path says. [store] and [kafka] need
// no mapping: their keys fill store::StoreOptions and store::KafkaOptions directly. Pure mapping:
// no component depends on daemon/config.
#include <memory>

#include "daemon/config/config.h"
#include "daemon/drafts_service.h"
#include "daemon/http/server.h"
#include "store/kafka_config.h"
#include "store/sqlite_store.h"

namespace timelined::daemon {

// Fails when `listen` does not parse (ParseListen).
Result<http::ServerOptions> ServerOptionsFrom(const config::ServerConfig& s);
DraftServiceOptions DraftServiceOptionsFrom(const config::SummarizerSettings& s);

// Creates the database's directory if needed, then opens (and migrates) the store.
// Errors: kUnavailable "store" naming the directory, or the store's own.
Result<std::unique_ptr<store::SqliteEventStore>> OpenStore(const config::StoreConfig& c);

}  // namespace timelined::daemon
