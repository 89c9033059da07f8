#include "daemon/options.h"

#include <filesystem>
#include <system_error>

namespace timelined::daemon {

Result<http::ServerOptions> ServerOptionsFrom(const config::ServerConfig& s) {
  auto listen = config::ParseListen(s.listen);
  if (!listen) return std::unexpected(listen.error());
  http::ServerOptions o;
  o.address = listen->first;
  o.port = listen->second;
  o.threads = s.threads;
  o.max_body_bytes = s.max_body_bytes;
  o.max_header_bytes = s.max_header_bytes;
  o.max_connections = s.max_connections;
  o.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
  o.anonymous_idle_timeout = std::chrono::milliseconds(s.anonymous_idle_timeout_ms);
  o.max_inflight_body_bytes = s.max_inflight_body_bytes;
  return o;
}

DraftServiceOptions DraftServiceOptionsFrom(const config::SummarizerSettings& s) {
  DraftServiceOptions o;
  o.auto_draft = s.auto_draft;
  o.settle_delay = std::chrono::milliseconds(s.settle_delay_ms);
  o.notify_url = s.notify_url;
  o.notify_secret = s.notify_secret;
  o.notify_timeout = std::chrono::milliseconds(s.notify_timeout_ms);
  return o;
}

Result<std::unique_ptr<store::SqliteEventStore>> OpenStore(const config::StoreConfig& c) {
  std::filesystem::path db(c.path);
  if (db.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(db.parent_path(), ec);
    if (ec)
      return MakeError(ErrorCode::kUnavailable, "store",
                       "cannot create " + db.parent_path().string() + ": " + ec.message());
  }
  return store::SqliteEventStore::Open(c);
}

}  // namespace timelined::daemon
