#include "daemon/config/auth.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "store/model/hash.h"

namespace timelined::config {
namespace {

constexpr std::string_view kAnonymousLoopback = "anonymous-loopback";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsSpace(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// RFC 6750 b64token: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return s;
}

}  // namespace

bool Authenticator::Principal::HasScope(Scope s) const {
  return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
}

Authenticator::Authenticator(std::vector<Token> tokens) : tokens_(std::move(tokens)) {
  // Sha256Hex is lower-case; normalize so a hash pasted in upper case still matches.
  for (Token& t : tokens_) {
    t.sha256 = Lower(std::move(t.sha256));
  }
}

std::string_view ParseBearer(std::string_view header) {
  header = Trim(header);
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || !IsSpace(header[kScheme.size()])) {
    return {};
  }
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
      return {};
    }
  }
  std::string_view token = Trim(header.substr(kScheme.size()));
  if (token.empty() || !std::all_of(token.begin(), token.end(), IsTokenChar)) {
    return {};
  }
  return token;
}

Result<Authenticator::Principal> Authenticator::Authenticate(std::string_view authorization_header,
                                                             Scope required,
                                                             bool peer_is_loopback) const {
  if (Open()) {
    if (!peer_is_loopback) {
      return MakeError(ErrorCode::kUnauthenticated, "unauthenticated",
                       "no tokens are configured; only loopback clients are served");
    }
    return Principal{std::string(kAnonymousLoopback),
                     std::vector<Scope>(std::begin(kAllScopes), std::end(kAllScopes))};
  }
  if (Trim(authorization_header).empty()) {
    return MakeError(ErrorCode::kUnauthenticated, "unauthenticated",
                     "missing Authorization header");
  }
  std::string_view token = ParseBearer(authorization_header);
  if (token.empty()) {
    return MakeError(ErrorCode::kUnauthenticated, "unauthenticated",
                     "malformed Authorization header; expected 'Bearer <token>'");
  }
  std::string presented = Sha256Hex(token);
  // Compare against every hash, without returning early, so the time taken does not tell
  // which token matched.
  const Token* match = nullptr;
  for (const Token& t : tokens_) {
    const bool equal = ConstantTimeEqual(presented, t.sha256);
    match = (equal && match == nullptr) ? &t : match;
  }
  if (match == nullptr) {
    return MakeError(ErrorCode::kUnauthenticated, "unauthenticated", "unknown token");
  }
  Principal principal{match->name, match->scopes};
  if (!principal.HasScope(required)) {
    return MakeError(ErrorCode::kPermissionDenied, "forbidden",
                     "token '" + principal.name + "' lacks scope '" + ScopeName(required) + "'");
  }
  return principal;
}

}  // namespace timelined::config
