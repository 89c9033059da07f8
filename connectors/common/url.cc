#include "connectors/common/url.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdlib>
#include <vector>

#include "connectors/common/headers.h"
#include "store/model/hash.h"

namespace timelined::connectors {
namespace {

std::unexpected<Error> BadUrl(std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "bad_url", std::move(detail));
}

bool ValidPort(std::string_view port) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return ec == std::errc() && ptr == port.data() + port.size() && value > 0 && value <= 65535;
}

// Splits "host", "host:port", "[v6]" or "[v6]:port".
Result<void> SplitAuthority(std::string_view authority, Url& url) {
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl("unterminated IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return BadUrl("junk after IPv6 literal");
    if (!after.empty()) port = after.substr(1);
    if (after.size() == 1) return BadUrl("empty port");
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return BadUrl("empty port");
    }
  }
  if (url.host.empty()) return BadUrl("empty host");
  if (!port.empty() && !ValidPort(port)) return BadUrl("bad port");
  url.port = port.empty() ? (url.scheme == "https" ? "443" : "80") : std::string(port);
  return {};
}

}  // namespace

Result<Url> ParseUrl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return BadUrl("whitespace or control character in URL");
    }
  }
  size_t sep = s.find("://");
  if (sep == std::string_view::npos) return BadUrl("missing scheme");
  Url url;
  url.scheme = ToLowerAscii(s.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") return BadUrl("scheme must be http or https");
  s.remove_prefix(sep + 3);
  size_t end = s.find_first_of("/?#");
  std::string_view authority = s.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : s.substr(end);
  if (authority.find('@') != std::string_view::npos) return BadUrl("user info in URL");
  if (auto ok = SplitAuthority(authority, url); !ok) return std::unexpected(ok.error());
  rest = rest.substr(0, rest.find('#'));
  if (rest.empty() || rest.front() == '?') url.target.push_back('/');
  url.target.append(rest);
  return url;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    }
  }
  return out;
}

namespace {

std::string Env(const char* lower, const char* upper) {
  if (const char* v = std::getenv(lower); v && *v) return v;
  if (const char* v = std::getenv(upper); v && *v) return v;
  return "";
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string Base64(std::string_view s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::unexpected<Error> BadProxy(std::string_view which, std::string detail) {
  return MakeError(ErrorCode::kInvalidInput, "bad_proxy",
                   std::string(which) + ": " + std::move(detail));
}

// "[http://][user:password@]host[:port][/]" -> Proxy.
Result<Proxy> ParseProxy(std::string_view which, std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return BadProxy(which, "whitespace or control character");
    }
  }
  if (size_t sep = s.find("://"); sep != std::string_view::npos) {
    const std::string scheme = ToLowerAscii(s.substr(0, sep));
    if (scheme != "http") {
      return BadProxy(which, "scheme " + scheme + "://: only http:// proxies are supported (" +
                                 "the tunnel to an https:// target is TLS end to end)");
    }
    s.remove_prefix(sep + 3);
  }
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    if (s.substr(slash) != "/") return BadProxy(which, "a proxy URL has no path");
    s = s.substr(0, slash);
  }
  Proxy proxy;
  if (const size_t at = s.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = s.substr(0, at);
    const size_t colon = userinfo.find(':');
    const std::string user = PercentDecode(userinfo.substr(0, colon));
    const std::string password =
        colon == std::string_view::npos ? "" : PercentDecode(userinfo.substr(colon + 1));
    proxy.authorization = "Basic " + Base64(user + ":" + password);
    s.remove_prefix(at + 1);
  }
  proxy.url.scheme = "http";
  proxy.url.target = "/";
  if (auto ok = SplitAuthority(s, proxy.url); !ok) {
    return BadProxy(which, ok.error().detail);  // names the host part only
  }
  return proxy;
}

// `host` equals `domain` or ends with "." + domain (case-insensitive).
bool DomainMatches(const std::string& host, std::string_view domain) {
  const std::string d = ToLowerAscii(domain);
  const std::string h = ToLowerAscii(host);
  if (h == d) return true;
  return h.size() > d.size() && h.ends_with(d) && h[h.size() - d.size() - 1] == '.';
}

bool IsLoopbackHost(const std::string& host) {
  const std::string h = ToLowerAscii(host);
  return h == "localhost" || h.ends_with(".localhost") || h == "::1" || h.starts_with("127.");
}

}  // namespace

ProxySettings ProxySettingsFromEnvironment() {
  return ProxySettings{Env("https_proxy", "HTTPS_PROXY"), Env("http_proxy", "HTTP_PROXY"),
                       Env("no_proxy", "NO_PROXY")};
}

bool NoProxyMatches(std::string_view no_proxy, const Url& target) {
  size_t pos = 0;
  while (pos <= no_proxy.size()) {
    const size_t comma = std::min(no_proxy.find(',', pos), no_proxy.size());
    std::string_view entry = no_proxy.substr(pos, comma - pos);
    pos = comma + 1;
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    std::string_view port;
    if (entry.front() == '[') {  // "[v6]" or "[v6]:port"
      const size_t close = entry.find(']');
      if (close == std::string_view::npos) continue;
      if (close + 1 < entry.size() && entry[close + 1] == ':') port = entry.substr(close + 2);
      entry = entry.substr(1, close - 1);
    } else if (const size_t colon = entry.rfind(':');
               colon != std::string_view::npos && entry.find(':') == colon) {
      port = entry.substr(colon + 1);  // "host:port" (one colon: not a bare IPv6 literal)
      entry = entry.substr(0, colon);
    }
    if (!port.empty() && port != target.port) continue;
    if (entry.front() == '.') entry.remove_prefix(1);
    if (!entry.empty() && DomainMatches(target.host, entry)) return true;
  }
  return false;
}

Result<std::optional<Proxy>> ProxyFor(const Url& target, const ProxySettings& settings) {
  const bool https = target.scheme == "https";
  const std::string& setting = https ? settings.https_proxy : settings.http_proxy;
  if (setting.empty() || IsLoopbackHost(target.host) || NoProxyMatches(settings.no_proxy, target)) {
    return std::nullopt;
  }
  auto proxy = ParseProxy(https ? "HTTPS_PROXY" : "HTTP_PROXY", setting);
  if (!proxy) return std::unexpected(proxy.error());
  return std::optional<Proxy>(std::move(*proxy));
}

}  // namespace timelined::connectors
