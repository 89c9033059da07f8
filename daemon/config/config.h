#pragma once
// The daemon's configuration: one TOML file. Every key is declared once in config.cc's
// key table (name, type, default, bounds, description); unknown keys are an error naming
// the key. Secrets can come inline, from an environment variable (`*_env`) or from a file
// (`*_file`, as Kubernetes mounts secrets). No file at all gives safe loopback defaults.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/config/kafka.h"
#include "daemon/config/kubernetes.h"
#include "daemon/config/pagerduty.h"
#include "daemon/config/slack.h"
#include "daemon/config/summarizer.h"
#include "daemon/http/server_options.h"
#include "store/model/error.h"
#include "store/model/redactor.h"
#include "store/sqlite_store.h"  // StoreOptions, the [store] section

namespace timelined::config {

enum class Scope { kIngest, kRead, kRegenerate, kAdmin };
// "ingest", "read", "regenerate", "admin" (the names used in [[auth.tokens]] scopes).
const char* ScopeName(Scope s);
std::optional<Scope> ParseScope(std::string_view name);
inline constexpr Scope kAllScopes[] = {Scope::kIngest, Scope::kRead, Scope::kRegenerate,
                                       Scope::kAdmin};

struct Token {
  std::string name;    // for logs and audit, e.g. "fluent-bit"
  std::string sha256;  // hex SHA-256 of the bearer token
  std::vector<Scope> scopes;
};

// The [server] section: the HTTP server's options (daemon/http/server_options.h, where their
// defaults are written once; the threads, limits and timeouts keys fill them directly) plus
// what the daemon adds. `address` and `port` are not keys: ServerOptionsFrom (options.cc)
// takes them from `listen`.
struct ServerConfig : http::ServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 = any free port
  std::string ready_file;                 // if set, the bound port is written here
  int publish_timeout_ms = 4'000;         // answer 503 if not durable by then
  int drain_ms = 5'000;  // on SIGTERM/SIGINT: /readyz 503, still serving, before closing
  int shutdown_grace_ms = 10'000;
};

// The store's option struct, filled directly by the [store] keys (config.cc): each default
// is written once, in store/sqlite_store.h, except the path, which Config sets below.
// busy_timeout_ms and the checkpoint thresholds are not config keys.
using StoreConfig = store::StoreOptions;

struct LogConfig {
  std::string level = "info";   // trace|debug|info|warn|error
  std::string format = "text";  // text|json
};

struct LogsConfig {
  bool skip_invalid_lines = false;                   // store the good lines of a bad batch
  size_t max_decompressed_bytes = 64 * 1024 * 1024;  // gzip bodies inflate at most to this
  // Level of a stderr line with no level field and none in its text: info (like any line),
  // or warn/error where the workloads' convention is that stderr carries only problems.
  std::string stderr_level = "info";
};

struct Config {
  ServerConfig server;
  StoreConfig store{.path = "data/timelined.db"};
  LogConfig log;
  LogsConfig logs;
  PagerDutyConfig pagerduty;
  SlackConfig slack;
  KubernetesConfig kubernetes;
  KafkaConfig kafka;
  SummarizerSettings summarizer;
  std::vector<Token> tokens;                         // [[auth.tokens]]
  std::vector<RedactionPattern> redaction_patterns;  // [[redaction.patterns]]
  std::string source_path;                           // the file it came from, or ""
};

// Loads and validates a TOML file (ParseConfig over its contents; source_path = path).
// Errors are kInvalidInput "invalid_config" whose detail names the file, the key, the line
// and what is wrong; never a secret's value.
Result<Config> LoadConfigFile(const std::string& path);
// Parses TOML text over the defaults, then runs ValidateConfig; `origin` names it in errors.
// Secrets given as `*_env` / `*_file` are resolved here (relative paths against the working
// directory); token plaintexts are hashed and not kept.
Result<Config> ParseConfig(std::string_view toml_text, std::string_view origin = "<string>");
// Default configuration (no file).
Config DefaultConfig();
// Cross-field checks: listen address parses, [[auth.tokens]] required off loopback, token
// hashes well-formed and unique, token names unique, queue_limit_events >= max_batch_events,
// extra redaction patterns compile (Redactor::Create).
Result<void> ValidateConfig(const Config& c);

// Documentation of every key: "section.key  type  default  description" lines, for
// `timelined check-config --keys` and the README.
std::string DescribeKeys();

// Splits "host:port" / "[v6]:port" (the host is returned without brackets). Fails on a
// missing host, an unbracketed IPv6 address, or a port that is not 0..65535.
Result<std::pair<std::string, uint16_t>> ParseListen(std::string_view listen);
// 127.0.0.0/8, ::1 (any spelling, also ::ffff:127.x.y.z) and "localhost". Brackets allowed.
bool IsLoopbackAddress(std::string_view host);

}  // namespace timelined::config
