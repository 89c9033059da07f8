#include "daemon/config/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config/describe_keys.h"
#include "daemon/config/key_table.h"
#include "daemon/config/section_keys.h"
#include "store/model/hash.h"

namespace timelined::config {
namespace {

using keys::KeySpec;
using keys::Where;

// A config file larger than this is not a config file.
constexpr std::streamsize kMaxConfigFileBytes = std::streamsize{4} << 20;

std::unexpected<Error> Invalid(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_config", std::move(detail));
}

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string CheckSha256(std::string_view s) {
  return IsHex64(s) ? "" : "expected 64 hex characters (the SHA-256 of the token)";
}

// Token names appear in logs and the audit table: keep them short and printable.
std::string CheckTokenName(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
  return ok ? "" : "expected 1-64 characters among A-Z a-z 0-9 _ - .";
}

// Pattern names become the marker "[REDACTED:<name>]".
std::string CheckPatternName(std::string_view s) {
  bool ok = !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return ok ? "" : "expected 1-64 characters among a-z 0-9 _";
}

std::string CheckNonEmpty(std::string_view s) { return s.empty() ? "must not be empty" : ""; }

// One [[auth.tokens]] element while it is being read.
struct TokenEntry {
  Token token;
  std::string token_hash;  // SHA-256 of the plaintext from token_env / token_file
};

Result<void> AddToken(Config& c, TokenEntry&& e, const Where& w) {
  bool has_sha256 = !e.token.sha256.empty();
  bool has_token = !e.token_hash.empty();
  if (has_sha256 && has_token) {
    return keys::KeyError(w, "give either sha256 or token_env/token_file, not both");
  }
  if (!has_sha256 && !has_token) {
    return keys::KeyError(w, "one of sha256, token_env or token_file is required");
  }
  if (has_token) {
    e.token.sha256 = std::move(e.token_hash);
  }
  std::transform(e.token.sha256.begin(), e.token.sha256.end(), e.token.sha256.begin(),
                 [](char ch) { return static_cast<char>(std::tolower(ch)); });
  c.tokens.push_back(std::move(e.token));
  return {};
}

std::vector<KeySpec<TokenEntry>> TokenKeys() {
  using E = TokenEntry;
  return {
      keys::StringKey<E>(
          "name", [](E& e) -> std::string& { return e.token.name; },
          "Names the client in logs and the audit table, e.g. \"fluent-bit\".", {}, CheckTokenName,
          /*required=*/true),
      keys::StringKey<E>(
          "sha256", [](E& e) -> std::string& { return e.token.sha256; },
          "Hex SHA-256 of the bearer token (`printf %s TOKEN | sha256sum`). One of sha256, "
          "token_env, token_file.",
          {}, CheckSha256),
      keys::SecretKey<E>(
          "token", [](E& e, const std::string& plain) { e.token_hash = Sha256Hex(plain); },
          "The plaintext token from an environment variable or a file (as Kubernetes mounts "
          "secrets); hashed at load, not kept.",
          /*allow_inline=*/false),
      keys::StringListKey<E>(
          "scopes",
          [](E& e, const std::vector<std::string>& names) {
            for (const auto& n : names) {
              Scope s = *ParseScope(n);  // the allowed list guarantees a known name
              if (std::find(e.token.scopes.begin(), e.token.scopes.end(), s) ==
                  e.token.scopes.end()) {
                e.token.scopes.push_back(s);
              }
            }
          },
          {"ingest", "read", "regenerate", "admin"},
          "What the token may do: ingest (log/Kubernetes pushes), read (incidents, events, "
          "drafts), regenerate (new draft versions), admin. No scope implies another.",
          /*required=*/true, /*non_empty=*/true),
  };
}

std::vector<KeySpec<RedactionPattern>> PatternKeys() {
  using P = RedactionPattern;
  return {
      keys::StringKey<P>(
          "name", [](P& p) -> std::string& { return p.name; },
          "Marker type: matches become \"[REDACTED:<name>]\".", {}, CheckPatternName,
          /*required=*/true),
      keys::StringKey<P>(
          "regex", [](P& p) -> std::string& { return p.regex; },
          "RE2 pattern (linear time); the whole match is replaced, or capture group 1 if any.", {},
          CheckNonEmpty, /*required=*/true),
  };
}

// The one declaration of every configuration key. Defaults are the member initializers in
// config.h; the default column of DescribeKeys is rendered from them.
const std::vector<KeySpec<Config>>& ConfigKeys() {
  using C = Config;
  using S = ServerConfig;
  using St = StoreConfig;
  using L = LogConfig;
  using Lg = LogsConfig;
  static const auto* const kKeys = new std::vector<KeySpec<C>>{
      keys::StringKey<C>("server.listen", Field(&C::server, &S::listen),
                         "Listen address, host:port or [v6]:port; port 0 picks a free port. "
                         "Off loopback, [[auth.tokens]] are required."),
      keys::StringKey<C>("server.ready_file", Field(&C::server, &S::ready_file),
                         "If set, the bound port is written to this file once the server "
                         "accepts connections (for supervisors and tests)."),
      keys::IntKey<C>("server.threads", Field(&C::server, &S::threads), 1, 64,
                      "I/O threads of the HTTP server."),
      keys::SizeKey<C>("server.max_body_bytes", Field(&C::server, &S::max_body_bytes), 1 << 10,
                       1 << 30, "Largest request body, in bytes; larger requests get 413."),
      keys::SizeKey<C>("server.max_header_bytes", Field(&C::server, &S::max_header_bytes), 1 << 10,
                       1 << 20, "Largest request header block, in bytes."),
      keys::IntKey<C>("server.max_connections", Field(&C::server, &S::max_connections), 1, 100'000,
                      "Most connections served at once."),
      keys::IntKey<C>("server.read_timeout_ms", Field(&C::server, &S::read_timeout), 100, 600'000,
                      "Time allowed to receive one request, headers and body."),
      keys::IntKey<C>("server.idle_timeout_ms", Field(&C::server, &S::idle_timeout), 1'000,
                      3'600'000, "A keep-alive connection idle this long is closed."),
      keys::IntKey<C>("server.anonymous_idle_timeout_ms",
                      Field(&C::server, &S::anonymous_idle_timeout), 100, 3'600'000,
                      "Idle keep-alive time of a connection none of whose requests carried "
                      "valid credentials (e.g. health checks); the shorter of this and "
                      "idle_timeout_ms applies."),
      keys::SizeKey<C>("server.max_inflight_body_bytes",
                       Field(&C::server, &S::max_inflight_body_bytes), 1 << 10, 1ull << 34,
                       "Request body bytes held at once across all connections (declared "
                       "Content-Length, or the route's limit when chunked); beyond it requests "
                       "get 503 with Retry-After before their body is read."),
      keys::IntKey<C>("server.publish_timeout_ms", Field(&C::server, &S::publish_timeout_ms), 100,
                      60'000,
                      "How long a webhook or push waits for its events to be durable before "
                      "the answer is 503 with Retry-After."),
      keys::IntKey<C>("server.drain_ms", Field(&C::server, &S::drain_ms), 0, 300'000,
                      "On SIGTERM/SIGINT, how long /readyz answers 503 (reason draining) while "
                      "every request is still served, so load balancers stop sending before "
                      "the listener closes; 0 closes at once. A second signal ends the drain."),
      keys::IntKey<C>("server.shutdown_grace_ms", Field(&C::server, &S::shutdown_grace_ms), 0,
                      300'000,
                      "After the drain, once the listener is closed: time left to in-flight "
                      "requests and pending publishes before their connections are closed."),
      keys::BoolKey<C>("server.access_log", Field(&C::server, &S::access_log),
                       "One info log line per response: method, route pattern, status, "
                       "latency, bytes, peer, token name and X-Request-Id (never the path, "
                       "query or body). In JSON logs each is a field."),
      keys::StringKey<C>("store.path", Field(&C::store, &St::path),
                         "SQLite database file (WAL mode: -wal and -shm files sit beside it).", {},
                         CheckNonEmpty),
      keys::IntKey<C>("store.cache_mib", Field(&C::store, &St::cache_mib), 1, 16'384,
                      "SQLite page cache per connection, in MiB."),
      keys::IntKey<C>("store.max_batch_events", Field(&C::store, &St::max_batch_events), 1,
                      1'000'000, "Most events written in one group-commit transaction."),
      keys::IntKey<C>("store.queue_limit_events", Field(&C::store, &St::queue_limit_events), 1,
                      10'000'000,
                      "Events waiting for the writer before ingest answers 503 (back-pressure); "
                      "at least store.max_batch_events."),
      keys::IntKey<C>("store.reader_connections", Field(&C::store, &St::reader_connections), 1, 64,
                      "SQLite connections serving reads."),
      keys::BoolKey<C>("store.synchronous_full", Field(&C::store, &St::synchronous_full),
                       "PRAGMA synchronous=FULL instead of NORMAL: commits survive power loss, "
                       "at the cost of an fsync per commit."),
      keys::BoolKey<C>("logs.skip_invalid_lines", Field(&C::logs, &Lg::skip_invalid_lines),
                       "false: a log push with a bad line is rejected whole (400 naming the "
                       "line); true: the good lines are stored and the bad ones counted."),
      keys::StringKey<C>("logs.stderr_level", Field(&C::logs, &Lg::stderr_level),
                         "Level of a line from the stderr stream with no level field and none "
                         "in its text: info like any other line, or warn/error where stderr "
                         "carries only problems (recorded as level_source inferred).",
                         {"info", "warn", "error"}),
      keys::SizeKey<C>("logs.max_decompressed_bytes", Field(&C::logs, &Lg::max_decompressed_bytes),
                       1 << 10, 1 << 30,
                       "Largest push body after gzip or snappy decompression; larger get 413."),
      keys::StringKey<C>("log.level", Field(&C::log, &L::level), "Least severe level logged.",
                         {"trace", "debug", "info", "warn", "error"}),
      keys::StringKey<C>("log.format", Field(&C::log, &L::format),
                         "text for people, json (one object per line) for collectors.",
                         {"text", "json"}),
      keys::TableArrayKey<C, TokenEntry>(
          "auth.tokens",
          "Bearer tokens with scopes. None: only loopback clients are served, with every scope.",
          TokenKeys(), AddToken),
      keys::TableArrayKey<
          C, RedactionPattern>("redaction.patterns",
                               "Extra redaction patterns, applied after the built-in ones.",
                               PatternKeys(),
                               [](C& c, RedactionPattern&& p, const Where&) -> Result<void> {
                                 c.redaction_patterns.push_back(std::move(p));
                                 return {};
                               }),
  };
  static const auto* const kAll = [] {
    auto* all = new std::vector<KeySpec<C>>(*kKeys);
    for (auto* section :
         {&PagerDutyKeys, &SlackKeys, &KubernetesKeys, &KafkaKeys, &SummarizerKeys}) {
      for (auto& k : (*section)()) all->push_back(std::move(k));
    }
    return all;
  }();
  return *kAll;
}

Result<void> ValidateTokens(const std::vector<Token>& tokens) {
  std::set<std::string> names;
  std::set<std::string> hashes;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    const std::string where = "auth.tokens[" + std::to_string(i) + "]";
    if (!CheckTokenName(t.name).empty()) {
      return Invalid(where + ".name: " + CheckTokenName(t.name));
    }
    if (!IsHex64(t.sha256)) {
      return Invalid(where + ".sha256: " + CheckSha256(t.sha256));
    }
    if (t.scopes.empty()) {
      return Invalid(where + ".scopes: must not be empty");
    }
    if (!names.insert(t.name).second) {
      return Invalid(where + ": duplicate token name '" + t.name + "'");
    }
    std::string lower = t.sha256;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(ch)); });
    if (!hashes.insert(lower).second) {
      // Two names for one token would make the audit trail ambiguous.
      return Invalid(where + " ('" + t.name + "'): the same token is configured twice");
    }
  }
  return {};
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

std::unexpected<Error> BadListen(std::string_view listen, std::string_view problem) {
  return MakeError(ErrorCode::kInvalidInput, "invalid_listen",
                   "listen address " + keys::internal::Quote(listen) + ": " + std::string(problem));
}

}  // namespace

const char* ScopeName(Scope s) {
  switch (s) {
    case Scope::kIngest:
      return "ingest";
    case Scope::kRead:
      return "read";
    case Scope::kRegenerate:
      return "regenerate";
    case Scope::kAdmin:
      return "admin";
  }
  return "?";
}

std::optional<Scope> ParseScope(std::string_view name) {
  for (Scope s : kAllScopes) {
    if (name == ScopeName(s)) {
      return s;
    }
  }
  return std::nullopt;
}

Config DefaultConfig() { return Config{}; }

Result<Config> ParseConfig(std::string_view toml_text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return Invalid("cannot parse " + std::string(origin) + " (line " +
                   std::to_string(e.source().begin.line) + ", column " +
                   std::to_string(e.source().begin.column) + "): " + std::string(e.description()));
  }
  Config c = DefaultConfig();
  if (auto r = keys::ApplyTable(root, ConfigKeys(), c, origin); !r) {
    return std::unexpected(std::move(r.error()));
  }
  if (auto r = ValidateConfig(c); !r) {
    r.error().detail += " (in " + std::string(origin) + ")";
    return std::unexpected(std::move(r.error()));
  }
  return c;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Invalid("cannot read config file " + keys::internal::Quote(path) + ": " +
                   std::strerror(errno));
  }
  std::string text(static_cast<size_t>(kMaxConfigFileBytes) + 1, '\0');
  in.read(text.data(), kMaxConfigFileBytes + 1);
  if (in.bad()) {
    return Invalid("cannot read config file " + keys::internal::Quote(path));
  }
  if (in.gcount() > kMaxConfigFileBytes) {
    return Invalid("config file " + keys::internal::Quote(path) + " is larger than " +
                   std::to_string(kMaxConfigFileBytes) + " bytes");
  }
  text.resize(static_cast<size_t>(in.gcount()));
  auto c = ParseConfig(text, path);
  if (c) {
    c->source_path = path;
  }
  return c;
}

Result<void> ValidateConfig(const Config& c) {
  auto listen = ParseListen(c.server.listen);
  if (!listen) {
    return Invalid("server.listen: " + listen.error().detail);
  }
  if (c.tokens.empty() && !IsLoopbackAddress(listen->first)) {
    return Invalid("refusing to listen on " + listen->first +
                   " without [[auth.tokens]]: configure a token, or listen on a loopback "
                   "address such as 127.0.0.1");
  }
  if (c.store.path.empty()) {
    return Invalid("store.path must not be empty");
  }
  if (c.store.queue_limit_events < c.store.max_batch_events) {
    return Invalid("store.queue_limit_events (" + std::to_string(c.store.queue_limit_events) +
                   ") must be at least store.max_batch_events (" +
                   std::to_string(c.store.max_batch_events) + ")");
  }
  if (auto r = ValidateTokens(c.tokens); !r) {
    return r;
  }
  auto redactor = Redactor::Create(c.redaction_patterns);
  if (!redactor) {
    return Invalid("redaction.patterns: " + redactor.error().detail);
  }
  for (auto* validate : {&ValidatePagerDuty, &ValidateSlack, &ValidateKubernetes, &ValidateKafka,
                         &ValidateSummarizer}) {
    if (auto r = (*validate)(c); !r) return r;
  }
  return {};
}

namespace {

// Appends `text` word-wrapped: lines start with `indent` spaces (the first one with
// `first_indent`) and stay within `width`; a word longer than a line is split.
void AppendWrapped(std::string& out, std::string_view text, size_t first_indent, size_t indent,
                   size_t width) {
  std::string line(first_indent, ' ');
  size_t line_indent = first_indent;
  auto flush = [&] {
    out += line;
    out += '\n';
    line.assign(indent, ' ');
    line_indent = indent;
  };
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t end = text.find(' ', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(i, end - i);
    i = end;
    while (!word.empty()) {
      const bool line_empty = line.size() == line_indent;
      const size_t need = word.size() + (line_empty ? 0 : 1);
      if (line.size() + need <= width) {
        if (!line_empty) line += ' ';
        line += word;
        word = {};
      } else if (!line_empty) {
        flush();
      } else {
        const size_t room = width > line.size() ? width - line.size() : 1;
        line += word.substr(0, room);
        word.remove_prefix(std::min(room, word.size()));
        flush();
      }
    }
  }
  if (line.size() > line_indent) flush();
}

}  // namespace

std::string DescribeKeys(size_t width) {
  constexpr size_t kIndent = 4;
  width = std::max<size_t>(width, kIndent + 20);
  std::string out;
  for (const auto& d : keys::Describe(ConfigKeys())) {
    const std::string head = d.name + "  " + d.type + "  " + d.default_value;
    if (head.size() <= width) {
      out += head + "\n";
    } else {
      AppendWrapped(out, head, 0, kIndent * 2, width);
    }
    AppendWrapped(out, d.description, kIndent, kIndent, width);
  }
  return out;
}

std::string DescribeKeys() {
  std::vector<keys::KeyDoc> docs = keys::Describe(ConfigKeys());
  size_t name_w = 0;
  size_t type_w = 0;
  size_t default_w = 0;
  for (const auto& d : docs) {
    name_w = std::max(name_w, d.name.size());
    type_w = std::max(type_w, d.type.size());
    default_w = std::max(default_w, d.default_value.size());
  }
  std::ostringstream out;
  for (const auto& d : docs) {
    out << d.name << std::string(name_w - d.name.size() + 2, ' ') << d.type
        << std::string(type_w - d.type.size() + 2, ' ') << d.default_value
        << std::string(default_w - d.default_value.size() + 2, ' ') << d.description << '\n';
  }
  return out.str();
}

Result<std::pair<std::string, uint16_t>> ParseListen(std::string_view listen) {
  std::string_view host;
  std::string_view port;
  if (listen.starts_with('[')) {
    size_t close = listen.find(']');
    if (close == std::string_view::npos) {
      return BadListen(listen, "missing ']' after an IPv6 address");
    }
    host = listen.substr(1, close - 1);
    std::string_view rest = listen.substr(close + 1);
    if (!rest.starts_with(':')) {
      return BadListen(listen, "expected ':' and a port after ']'");
    }
    port = rest.substr(1);
    in6_addr addr{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
      return BadListen(listen, "not an IPv6 address inside the brackets");
    }
  } else {
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return BadListen(listen, "expected host:port");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return BadListen(listen, "an IPv6 address needs brackets, as in [::1]:8080");
    }
    if (host.empty()) {
      return BadListen(listen, "missing host (use 0.0.0.0 for every interface)");
    }
    if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
      return BadListen(listen, "the host is neither an address nor a host name");
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return BadListen(listen, "the port must be a number 0..65535");
  }
  int value = std::stoi(std::string(port));
  if (value > 65535) {
    return BadListen(listen, "the port must be a number 0..65535");
  }
  return std::pair<std::string, uint16_t>(std::string(host), static_cast<uint16_t>(value));
}

bool IsLoopbackAddress(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string h(host);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](char ch) { return static_cast<char>(std::tolower(ch)); });
  if (h == "localhost") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) {
      return true;
    }
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace timelined::config
