#pragma once
// URLs of outbound requests: split for a connection, and query values encoded. Pure.
#include <optional>
#include <string>
#include <string_view>

#include "store/model/error.h"

namespace timelined::connectors {

// "scheme://host[:port][/target]" split for a connection.
struct Url {
  std::string scheme;  // "http" or "https" (lower-case)
  std::string host;    // IPv6 literals without brackets
  std::string port;    // explicit, or "80"/"443" by scheme
  std::string target;  // path plus query, "/" when empty; no fragment
};

// Parses an absolute http(s) URL. Rejects other schemes, user-info ("user:pw@"), empty
// hosts, bad ports and control characters.
Result<Url> ParseUrl(std::string_view url);
// Percent-encodes everything except RFC 3986 unreserved characters (for query values).
std::string UrlEncode(std::string_view s);

// Outbound proxy, as curl reads the environment: HTTPS_PROXY for https:// targets (a CONNECT
// tunnel, TLS end to end), HTTP_PROXY for http:// targets (absolute-form requests), NO_PROXY
// for the targets that go direct. Lower-case names win over upper-case ones. Loopback targets
// (localhost, 127.0.0.0/8, ::1) always go direct, as in Go's net/http: a proxy can never
// reach this machine's loopback for us.
struct ProxySettings {
  std::string https_proxy;  // "http://[user:password@]host[:port]" (or "host:port"); "" = none
  std::string http_proxy;   // the same, for http:// targets
  std::string no_proxy;     // "*" or a comma list: "host", ".domain" / "domain" (and its
                            // subdomains), IP literals; an entry with ":port" matches that port
};
ProxySettings ProxySettingsFromEnvironment();

struct Proxy {
  Url url;                    // scheme "http", host, port (80 when absent, as curl does)
  std::string authorization;  // "Basic <base64(user:password)>" from user-info, or ""
};

// The proxy a request to `target` goes through, or nullopt (no proxy for its scheme, or
// NO_PROXY matches). Errors: kInvalidInput "bad_proxy" when the proxy setting is not
// "[http://][user:password@]host[:port]" (https:// proxies are refused); the detail never
// shows the user-info.
Result<std::optional<Proxy>> ProxyFor(const Url& target, const ProxySettings& settings);
// Whether NO_PROXY `no_proxy` sends `target` direct.
bool NoProxyMatches(std::string_view no_proxy, const Url& target);

}  // namespace timelined::connectors
