// ParseUrl and UrlEncode (declared in http_client.h).
#include <charconv>

#include "connectors/common/http_client.h"

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

}  // namespace timelined::connectors
