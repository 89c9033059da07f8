#pragma once
// Bearer-token authentication with scopes, for every route that is not a signed webhook.
//
// Tokens are configured hashed ([[auth.tokens]] sha256, or token_env/token_file hashed at
// load). A request's token is hashed with SHA-256 and compared against every configured
// hash in constant time, without stopping at a match, so the time taken does not depend
// on which token (if any) matched. Scopes are exact: no scope implies another.
//
// With no tokens configured (Open()), loopback peers are served as "anonymous-loopback"
// with every scope and other peers are refused; ValidateConfig already refuses to listen
// off loopback without tokens, so this is a second line of defence.
//
// Immutable after construction; Authenticate is safe to call from any thread.
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.h"
#include "store/model/error.h"

namespace timelined::config {

class Authenticator {
 public:
  struct Principal {
    std::string name;  // the token's configured name, or "anonymous-loopback"
    std::vector<Scope> scopes;
    bool HasScope(Scope s) const;
  };

  // `tokens` as loaded by the config (sha256 is 64 hex characters, either case).
  explicit Authenticator(std::vector<Token> tokens);

  // True when no tokens are configured.
  bool Open() const { return tokens_.empty(); }

  // Authenticates the value of an `Authorization` header ("" when absent):
  //   kUnauthenticated   "unauthenticated" (401): missing or malformed header, unknown token,
  //                      or Open() and the peer is not loopback
  //   kPermissionDenied  "forbidden" (403): a known token without `required`; the detail
  //                      names the scope needed
  // Details never contain the presented token.
  Result<Principal> Authenticate(std::string_view authorization_header, Scope required,
                                 bool peer_is_loopback) const;

 private:
  std::vector<Token> tokens_;
};

// The credentials of "Bearer <token>" (scheme case-insensitive, surrounding whitespace
// ignored), or "" when the header is absent, uses another scheme, or is malformed.
std::string_view ParseBearer(std::string_view authorization_header);

}  // namespace timelined::config
