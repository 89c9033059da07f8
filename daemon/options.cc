#include "daemon/options.h"

#include <filesystem>
#include <system_error>

namespace timelined::daemon {

Result<http::ServerOptions> ServerOptionsFrom(const config::ServerConfig& s) {
  auto listen = config::ParseListen(s.listen);
  if (!listen) return std::unexpected(listen.error());
  http::ServerOptions o = s;  // the [server] keys that are the server's own
  o.address = listen->first;
  o.port = listen->second;
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
